import Foundation
import Testing
import TriplineCore

/// `tripline config`: one effective configuration from the environment, .env and tripline.toml,
/// with where each value came from, secrets hidden, and mistakes named by file and key.
@Suite struct ConfigCommandTests {
    /// The line of `tripline config`'s output for `key`.
    static func row(_ output: String, _ key: String) -> String {
        output.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map(String.init) ?? ""
    }

    @Test func precedenceAndSourcesWithSecretsHidden() throws {
        let dir = try CLIRunner.tempDir()
        try "MODEL_DIR=/srv/models\nexport TRIPLINE_API_TOKEN=\"dotenv-secret\"\nAPI_PORT=7000\nDATABASE_URL=someone-elses\n"
            .write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try "[api]\nport = 9000\nhost = \"127.0.0.2\"\ntoken = \"file-secret\"\n[detection]\nbrute_force_failures = 8\ncontamination = 0.05\n"
            .write(to: dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        for k in ["MODEL_DIR", "TRIPLINE_API_TOKEN", "API_PORT", "API_HOST", "CONTAMINATION", "TRIPLINE_ENV_FILE"] { env[k] = nil }
        env["TRIPLINE_ENV_FILE"] = ".env"          // files in the working directory are read when named
        env["TRIPLINE_CONFIG"] = "tripline.toml"
        env["CONTAMINATION"] = "0.02"
        env["API_PORT"] = "7500"
        let r = try CLIRunner.run(["config"], cwd: dir, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        func row(_ key: String) -> String { Self.row(r.stdout, key) }
        #expect(row("model_dir").contains("/srv/models") && row("model_dir").contains(".env:1"))
        #expect(row("api.port").contains("7500") && row("api.port").contains("environment (API_PORT)"), "environment beats .env")
        #expect(row("api.host").contains("127.0.0.2") && row("api.host").contains("tripline.toml [api] host"))
        #expect(row("api.token").contains("hidden") && row("api.token").contains(".env:2"), ".env beats the file")
        #expect(!r.stdout.contains("dotenv-secret") && !r.stdout.contains("file-secret"), "secrets never shown")
        #expect(row("detection.contamination").contains("0.02") && row("detection.contamination").contains("CONTAMINATION"))
        #expect(row("detection.brute_force_failures").contains("8") && row("detection.brute_force_failures").contains("tripline.toml"))
        #expect(row("detection.brute_force_window").contains("600") && row("detection.brute_force_window").contains("default"))
        #expect(!r.stdout.contains("someone-elses"), "other programs' keys in a shared .env are left alone")
    }

    /// A folder of collected evidence may hold a planted tripline.toml or .env: they are not
    /// read unless named, and the analyst is told they were passed over. The user's and the
    /// system's folders are.
    @Test func filesInTheWorkingDirectoryAreReadOnlyWhenNamed() throws {
        let dir = try CLIRunner.tempDir()
        try "MODEL_DIR=/attacker/models\nTRIPLINE_WEBHOOK_URL=https://attacker.example/hook\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try "[detection]\nbrute_force_failures = 100000\n".write(to: dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
        let home = try CLIRunner.tempDir()
        try FileManager.default.createDirectory(at: home.appendingPathComponent("tripline"), withIntermediateDirectories: true)
        try "[detection]\nbrute_force_failures = 7\n".write(to: home.appendingPathComponent("tripline/tripline.toml"), atomically: true, encoding: .utf8)
        try "MODEL_DIR=/srv/mine\n".write(to: home.appendingPathComponent("tripline/tripline.env"), atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        for k in env.keys where k.hasPrefix("TRIPLINE_") || k == "MODEL_DIR" { env[k] = nil }
        env["XDG_CONFIG_HOME"] = home.path
        let r = try CLIRunner.run(["config"], cwd: dir, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.row(r.stdout, "model_dir").contains("/srv/mine"), "the user's own environment file is read")
        #expect(Self.row(r.stdout, "detection.brute_force_failures").contains("7"), "the user's own configuration file is read")
        #expect(!r.stdout.contains("attacker"), "the working directory's files are not read")
        #expect(r.stderr.contains("./tripline.toml") && r.stderr.contains("./.env"), "the analyst is told: \(r.stderr)")
    }

    @Test func alertSinksShowWhereTheyComeFromWithoutTheirSecrets() throws {
        let dir = try CLIRunner.tempDir()
        try "TRIPLINE_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/SLACKSECRET\n"
            .write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try "[alerts]\nmin_severity = \"medium\"\n[alerts.webhook]\nurl = \"https://soar.example.com/hooks/HOOKSECRET\"\nsecret = \"HMACSECRET\"\nmin_severity = \"critical\"\n"
            .write(to: dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        for k in env.keys where k.hasPrefix("TRIPLINE_") { env[k] = nil }
        env["TRIPLINE_ENV_FILE"] = ".env"
        env["TRIPLINE_CONFIG"] = "tripline.toml"
        env["TRIPLINE_SPLUNK_HEC_URL"] = "https://splunk.example.com:8088"
        env["TRIPLINE_SPLUNK_HEC_TOKEN"] = "SPLUNKSECRET"
        let r = try CLIRunner.run(["config"], cwd: dir, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        func row(_ key: String) -> String { Self.row(r.stdout, key) }
        #expect(row("alerts.slack.url").contains("https://hooks.slack.com/…") && row("alerts.slack.url").contains(".env:1"))
        #expect(row("alerts.splunk.token").contains("hidden") && row("alerts.splunk.token").contains("environment (TRIPLINE_SPLUNK_HEC_TOKEN)"))
        #expect(row("alerts.webhook.url").contains("https://soar.example.com/…") && row("alerts.webhook.url").contains("[alerts.webhook] url"))
        #expect(row("alerts.webhook.min_severity").contains("critical") && row("alerts.slack.min_severity").contains("medium"))
        #expect(row("alerts.elasticsearch.url").contains("(off)"))
        for secret in ["SLACKSECRET", "SPLUNKSECRET", "HOOKSECRET", "HMACSECRET"] { #expect(!r.stdout.contains(secret), "\(secret) shown") }
        // A bad value names the key and the file, not the value.
        try "[alerts.webhook]\nurl = \"soar.example.com/HOOKSECRET\"\n".write(to: dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["config"], cwd: dir, environment: env)
        #expect(bad.status == 2 && bad.stderr.contains("tripline.toml: alerts.webhook.url must be an http") && !bad.stderr.contains("HOOKSECRET"), "\(bad.stderr)")
    }

    @Test func mistakesNameTheFileLineAndKey() throws {
        let dir = try CLIRunner.tempDir()
        var env = ProcessInfo.processInfo.environment
        env["TRIPLINE_ENV_FILE"] = ".env"
        env["TRIPLINE_CONFIG"] = "tripline.toml"
        try "# ok\nTRIPLINE_API_TOKNE=x\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let typo = try CLIRunner.run(["config"], cwd: dir, environment: env)
        #expect(typo.status == 2 && typo.stderr.contains(".env:2") && typo.stderr.contains("TRIPLINE_API_TOKNE"), "\(typo.stderr)")
        try "MODEL_DIR\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["analyze", "x.log"], cwd: dir, environment: env)
        #expect(bad.status == 2 && bad.stderr.contains(".env:1: expected KEY=value"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent(".env"))
        env["TRIPLINE_ENV_FILE"] = nil
        try "[api]\nprot = 80\n".write(to: dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
        let toml = try CLIRunner.run(["config"], cwd: dir, environment: env)
        #expect(toml.status == 2 && toml.stderr.contains("tripline.toml") && toml.stderr.contains("'prot'"), "\(toml.stderr)")
        try "[api]\nport = \"eighty\"\n".write(to: dir.appendingPathComponent("tripline.toml"), atomically: true, encoding: .utf8)
        let value = try CLIRunner.run(["config"], cwd: dir, environment: env)
        #expect(value.status == 2 && value.stderr.contains("api.port"), "\(value.stderr)")
    }

    /// Models and reports live in the state folder unless named: `~/.local/state/tripline`
    /// (`$XDG_STATE_HOME`), `$STATE_DIRECTORY` under systemd; a model in the working directory
    /// is not loaded unawares.
    @Test func stateWhereSystemToolsKeepIt() throws {
        let dir = try CLIRunner.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = dir.appendingPathComponent("home")
        let evidence = dir.appendingPathComponent("evidence")
        try FileManager.default.createDirectory(at: evidence.appendingPathComponent("anomaly_outputs"), withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        for k in ["MODEL_DIR", "OUTPUT_DIR", "XDG_STATE_HOME", "STATE_DIRECTORY", "TRIPLINE_CONFIG", "TRIPLINE_ENV_FILE", "XDG_CONFIG_HOME"] { env[k] = nil }
        env["HOME"] = home.path
        let c = try CLIRunner.run(["config"], cwd: evidence, environment: env)
        let state = home.path + "/.local/state/tripline"
        #expect(Self.row(c.stdout, "model_dir").contains(state + "/models"), "\(c.stdout)")
        #expect(Self.row(c.stdout, "output_dir").contains(state + "/reports"), "\(c.stdout)")
        // The same as JSON: every setting's value and source, and where files were looked for.
        let cj = try CLIRunner.run(["config", "--output", "json"], cwd: evidence, environment: env)
        let doc = try JSONParser.parse(cj.stdout)
        #expect(doc["settings"]?["model_dir"]?["value"]?.scalarText == state + "/models", "\(cj.stdout)")
        #expect(doc["settings"]?["model_dir"]?["source"]?.scalarText?.hasPrefix("default") == true)
        #expect(doc["configuration_file"] == .null)
        guard case .array(let looked)? = doc["looked_for"]?["configuration"] else { Issue.record("\(cj.stdout)"); return }
        #expect(looked.contains(.string(home.path + "/.config/tripline/tripline.toml")) && looked.contains(.string("/etc/tripline/tripline.toml")))
        var service = env
        service["STATE_DIRECTORY"] = "/var/lib/tripline"
        let s = try CLIRunner.run(["config"], cwd: evidence, environment: service)
        #expect(Self.row(s.stdout, "model_dir").contains("/var/lib/tripline/models"), "\(s.stdout)")
        var xdg = env
        xdg["XDG_STATE_HOME"] = dir.appendingPathComponent("xdg").path
        let x = try CLIRunner.run(["config"], cwd: evidence, environment: xdg)
        #expect(Self.row(x.stdout, "model_dir").contains(dir.appendingPathComponent("xdg").path + "/tripline/models"), "\(x.stdout)")

        // train writes there; a planted ./anomaly_outputs/model.json is passed over, and said so.
        let sample = CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log").path
        let t = try CLIRunner.run(["train", sample, "--baseline-days", "1"], cwd: evidence, environment: env)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(FileManager.default.fileExists(atPath: state + "/models/model.json"))
        try "{\"planted\": true}".write(to: evidence.appendingPathComponent("anomaly_outputs/model.json"), atomically: true, encoding: .utf8)
        let a = try CLIRunner.run(["analyze", sample, "--output", "json"], cwd: evidence, environment: env)
        #expect(a.status == 0, "the model in the state folder is used: \(a.stderr)")
        #expect(a.stderr.contains("not read from the working directory unless named: ./anomaly_outputs"), "\(a.stderr)")
        let named = try CLIRunner.run(["analyze", sample, "--output", "json", "--model-dir", "anomaly_outputs"], cwd: evidence, environment: env)
        #expect(named.status != 0 && !named.stderr.contains("not read from the working directory"), "named, it is read (and refused as damaged): \(named.stderr)")
    }
}
