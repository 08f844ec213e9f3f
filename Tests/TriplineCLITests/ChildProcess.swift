import Foundation
import TriplineTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with `posix_spawn` and waits for it with `waitpid`, with a time limit.
///
/// Foundation's `Process.waitUntilExit()` relies on a SIGCHLD dispatch source; in CI (no
/// terminal, `tmux` forking its server) that signal was lost and a test waited for a child that
/// had long exited, until the CI's 90-minute limit. `waitpid` on the pid cannot miss the exit.
/// Standard input, output and error go through files, so no pipe can block either side or be
/// held open by a daemon the child leaves behind.
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: Data
        /// The child's peak resident memory in kilobytes (`ru_maxrss`).
        var peakKB = 0
    }

    // glibc's GNU extensions, which Swift's Glibc module does not import.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    private static func glibc<F>(_ name: String, as: F.Type) -> F? {
        guard let symbol = dlsym(nil, name) else { return nil }  // nil is RTLD_DEFAULT
        return unsafeBitCast(symbol, to: F.self)
    }

    /// Runs `executable` to completion; kills it (SIGKILL) after `timeout` seconds and throws.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    cwd: URL? = nil, stdin: Data? = nil, timeout: Double = 120) throws -> Result {
        let child = try start(executable, arguments, environment: environment, cwd: cwd, stdin: stdin)
        defer { child.cleanUp() }
        let status = try child.wait(timeout: timeout)
        return Result(status: status, stdout: child.stdout, stderr: child.stderr, peakKB: child.peakKB)
    }

    /// A child still running: its output so far, a signal, a wait.
    final class Running {
        let pid: pid_t
        let executable: String
        let arguments: [String]
        let files: [URL]
        private var finished: Int32?
        /// Its peak resident memory in kilobytes (`VmHWM`), as last seen while it ran: read at
        /// each poll, because `ru_maxrss` from `wait4` also counts the memory of the test process
        /// that spawned it (Linux keeps the high-water mark of the address space an `exec`
        /// replaces, and `posix_spawn` execs from the parent's).
        private(set) var peakKB = 0

        private func notePeak() {
            guard finished == nil, let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                  let kb = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") else { return }
            peakKB = max(peakKB, kb)
        }

        init(pid: pid_t, executable: String, arguments: [String], files: [URL]) {
            self.pid = pid
            self.executable = executable
            self.arguments = arguments
            self.files = files
        }

        var stdout: Data { (try? Data(contentsOf: files[1])) ?? Data() }
        var stderr: Data { (try? Data(contentsOf: files[2])) ?? Data() }

        /// Polls standard error until `text` appears; returns it all, or throws after `timeout`.
        func waitForStderr(containing text: String, timeout: Double = 30) throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let s = String(decoding: stderr, as: UTF8.self)
                if s.contains(text) { return s }
                if let code = try exited() { throw Failure(description: "\(executable) exited (\(code)) before printing '\(text)': \(s)") }
                usleep(20_000)
            }
            throw Failure(description: "\(executable) did not print '\(text)' within \(Int(timeout)) s: \(String(decoding: stderr, as: UTF8.self))")
        }

        func signal(_ sig: Int32) { if finished == nil { kill(pid, sig) } }

        /// The exit status if it has ended (without waiting).
        func exited() throws -> Int32? {
            if let finished { return finished }
            var status: Int32 = 0
            notePeak()
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
                finished = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                return finished
            }
            if r < 0 && errno != EINTR { throw Failure(description: "waitpid failed for \(executable): \(String(cString: strerror(errno)))") }
            return nil
        }

        /// Waits for the end; SIGKILL and a throw after `timeout` seconds.
        func wait(timeout: Double) throws -> Int32 {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                if let code = try exited() { return code }
                if Date() > deadline {
                    kill(pid, SIGKILL)
                    var status: Int32 = 0
                    _ = waitpid(pid, &status, 0)
                    finished = 137
                    throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s and was killed")
                }
                usleep(5_000)
            }
        }

        func cleanUp() {
            if finished == nil { kill(pid, SIGKILL); var st: Int32 = 0; _ = waitpid(pid, &st, 0); finished = 137 }
            for u in files { try? FileManager.default.removeItem(at: u) }
        }

        deinit { cleanUp() }
    }

    /// Starts `executable` with its standard streams on files.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                      cwd: URL? = nil, stdin: Data? = nil) throws -> Running {
        let tmp = TestFolders.root
        let id = UUID().uuidString
        let inURL = tmp.appendingPathComponent("child-in-\(id)")
        let outURL = tmp.appendingPathComponent("child-out-\(id)")
        let errURL = tmp.appendingPathComponent("child-err-\(id)")
        try (stdin ?? Data()).write(to: inURL)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inURL.path, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else of the test process leaks into the child (or into a daemon it starts).
        if let closeFrom = glibc("posix_spawn_file_actions_addclosefrom_np", as: CloseFrom.self) { _ = closeFrom(&actions, 3) }
        if let cwd {
            guard let chdir = glibc("posix_spawn_file_actions_addchdir_np", as: ChangeDirectory.self) else {
                throw Failure(description: "this C library cannot set a child's working directory")
            }
            _ = chdir(&actions, cwd.path)
        }

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = [executable] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) }; for p in cEnv { free(p) } }

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, &cArgs, &cEnv)
        guard rc == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(rc)))") }
        return Running(pid: pid, executable: executable, arguments: arguments, files: [inURL, outURL, errURL])
    }
}
