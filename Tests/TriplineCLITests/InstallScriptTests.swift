import Foundation
import Testing

/// scripts/install.sh and scripts/package-deb.sh, run as a packager would, into throwaway
/// folders: with the debug binary (a release build with the Swift runtime linked in takes
/// minutes; BENCHMARKS/README record that run) and without manual pages (they need a second
/// SwiftPM run on the same build folder, which `swift test` holds).
@Suite struct InstallScriptTests {
    static var script: String { CLIRunner.projectRoot.appendingPathComponent("scripts/install.sh").path }

    static func bash(_ args: [String], environment: [String: String]? = nil) throws -> CLIRunner.Result {
        let r = try ChildProcess.run("/bin/bash", args, environment: environment ?? ProcessInfo.processInfo.environment, cwd: CLIRunner.projectRoot, timeout: 300)
        return CLIRunner.Result(status: r.status, stdout: String(decoding: r.stdout, as: UTF8.self), stderr: String(decoding: r.stderr, as: UTF8.self))
    }

    @Test func installsWhereSystemToolsGoAndUninstalls() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("prefix").path
        let r = try Self.bash([Self.script, "--prefix", prefix, "--binary", CLIRunner.binary.path, "--no-man"])
        #expect(r.status == 0, "\(r.stderr)")
        let fm = FileManager.default
        for f in ["bin/tripline", "share/bash-completion/completions/tripline", "share/zsh/site-functions/_tripline",
                  "share/fish/vendor_completions.d/tripline.fish", "share/tripline/themes/dark.toml", "share/tripline/themes/light.toml",
                  "share/doc/tripline/tripline.toml.example", "lib/systemd/system/tripline-api.service",
                  "lib/systemd/system/tripline-batch.service", "lib/systemd/system/tripline-batch.timer",
                  "lib/systemd/system/tripline-train.service", "share/tripline/installed-files", "libexec/tripline/tripline-mcp"] {
            #expect(fm.fileExists(atPath: prefix + "/" + f), "\(f) installed")
        }
        #expect(fm.isExecutableFile(atPath: prefix + "/bin/tripline"))
        // A prefix systemd does not read units from: the next steps say so, and how to link them.
        #expect(r.stdout.contains("systemctl link \(prefix)/lib/systemd/system/tripline-api.service"), "\(r.stdout)")
        #expect(!r.stdout.contains("  systemctl daemon-reload"), "\(r.stdout)")
        // Stripped: smaller than the binary it came from.
        let size = { (p: String) in ((try? fm.attributesOfItem(atPath: p))?[.size] as? Int) ?? 0 }
        #expect(size(prefix + "/bin/tripline") < size(CLIRunner.binary.path))
        // The installed binary runs, and finds the installed themes (beside it, found through
        // /proc/self/exe even when run by a bare name from PATH).
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = prefix + "/bin:/usr/bin:/bin"
        env["HOME"] = dir.path
        env["TRIPLINE_THEMES"] = nil
        let v = try ChildProcess.run("/usr/bin/env", ["tripline", "--version"], environment: env, cwd: dir)
        #expect(v.status == 0 && !v.stdout.isEmpty)
        // `tripline mcp` runs the MCP server's program from ../libexec/tripline (none is beside
        // the installed binary): its own check of --allow answers.
        let missing = dir.appendingPathComponent("no-such-folder").path
        let m = try ChildProcess.run("/usr/bin/env", ["tripline", "mcp", "--allow", missing], environment: env, cwd: dir)
        #expect(m.status == 2 && String(decoding: m.stderr, as: UTF8.self).contains("--allow \(missing): no such folder"),
                "\(String(decoding: m.stderr, as: UTF8.self))")
        // Without it, a clear error naming where it was looked for.
        try fm.removeItem(atPath: prefix + "/libexec/tripline/tripline-mcp")
        let gone = try ChildProcess.run("/usr/bin/env", ["tripline", "mcp"], environment: env, cwd: dir)
        let goneErr = String(decoding: gone.stderr, as: UTF8.self)
        #expect(gone.status == 2 && goneErr.contains("MCP server's program is missing") && goneErr.contains(prefix + "/libexec/tripline/tripline-mcp"), "\(goneErr)")
        try fm.copyItem(atPath: CLIRunner.binary.deletingLastPathComponent().appendingPathComponent("tripline-mcp").path,
                        toPath: prefix + "/libexec/tripline/tripline-mcp")
        // The completions name the commands.
        let bashCompletion = try String(contentsOfFile: prefix + "/share/bash-completion/completions/tripline", encoding: .utf8)
        #expect(bashCompletion.contains("analyze") && bashCompletion.contains("explain"))
        // The units run the binary installed here.
        let unit = try String(contentsOfFile: prefix + "/lib/systemd/system/tripline-batch.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=\(prefix)/bin/tripline batch --once") && !unit.contains("/usr/local/bin"))
        // Uninstall removes every file it installed; a second time there is nothing to remove.
        let u = try Self.bash([Self.script, "--prefix", prefix, "--uninstall"])
        #expect(u.status == 0 && u.stdout.contains("removed"), "\(u.stderr)")
        let left = (fm.enumerator(atPath: prefix)?.allObjects as? [String] ?? []).filter { !((try? fm.attributesOfItem(atPath: prefix + "/" + $0))?[.type] as? FileAttributeType == .typeDirectory) }
        #expect(left.isEmpty, "left behind: \(left)")
        let again = try Self.bash([Self.script, "--prefix", prefix, "--uninstall"])
        #expect(again.status == 2 && again.stderr.contains("nothing to uninstall"))
        let relative = try Self.bash([Self.script, "--prefix", "relative/path"])
        #expect(relative.status == 64 && relative.stderr.contains("absolute"))
    }

    /// The .deb: control fields, the conffile, the units under /usr, maintainer scripts that
    /// leave another root alone; installed into a throwaway root with dpkg --root, removed
    /// (the conffile stays) and purged (it goes).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-deb"), "dpkg-deb is not installed"))
    func debianPackage() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A stand-in binary with no shared libraries of its own (the debug build links the
        // toolchain's, which no package provides): it answers what install.sh asks of it.
        let fake = dir.appendingPathComponent("tripline").path
        let real = CLIRunner.binary.path
        try "#!/bin/sh\nexec \(real) \"$@\"\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        let out = dir.appendingPathComponent("dist").path
        let r = try Self.bash([CLIRunner.projectRoot.appendingPathComponent("scripts/package-deb.sh").path, "--binary", fake, "--no-man", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let deb = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(deb.hasSuffix(".deb") && FileManager.default.fileExists(atPath: deb), "\(r.stdout)")
        let info = try ChildProcess.run("/usr/bin/dpkg-deb", ["-I", deb])
        let infoText = String(decoding: info.stdout, as: UTF8.self)
        #expect(infoText.contains("Package: tripline") && infoText.contains("conffiles") && infoText.contains("postinst"), "\(infoText)")
        let contents = String(decoding: try ChildProcess.run("/usr/bin/dpkg-deb", ["-c", deb]).stdout, as: UTF8.self)
        for f in ["./usr/bin/tripline", "./usr/lib/systemd/system/tripline-api.service", "./usr/lib/systemd/system/tripline-batch.timer",
                  "./etc/tripline/tripline.toml", "./usr/share/tripline/themes/dark.toml", "./usr/share/bash-completion/completions/tripline"] {
            #expect(contents.contains(f), "\(f) in the package")
        }
        #expect(!contents.contains("installed-files"), "dpkg keeps the list of files itself")
        // Into a throwaway root.
        let root = dir.appendingPathComponent("root").path
        for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"] {
            try FileManager.default.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true)
        }
        FileManager.default.createFile(atPath: root + "/var/lib/dpkg/status", contents: nil)
        let dpkg = ["--root=\(root)", "--log=/dev/null", "--force-not-root", "--force-depends", "--force-script-chrootless", "--no-triggers"]
        let i = try ChildProcess.run("/usr/bin/dpkg", dpkg + ["-i", deb])
        #expect(i.status == 0, "\(String(decoding: i.stderr, as: UTF8.self))")
        #expect(FileManager.default.fileExists(atPath: root + "/usr/bin/tripline") && FileManager.default.fileExists(atPath: root + "/etc/tripline/tripline.toml"))
        let rm = try ChildProcess.run("/usr/bin/dpkg", dpkg + ["-r", "tripline"])
        #expect(rm.status == 0, "\(String(decoding: rm.stderr, as: UTF8.self))")
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/bin/tripline") && FileManager.default.fileExists(atPath: root + "/etc/tripline/tripline.toml"),
                "removed, the configuration kept")
        let purge = try ChildProcess.run("/usr/bin/dpkg", dpkg + ["-P", "tripline"])
        #expect(purge.status == 0 && !FileManager.default.fileExists(atPath: root + "/etc/tripline/tripline.toml"), "purged")
    }
}
