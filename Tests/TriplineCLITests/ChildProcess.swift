import Foundation
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
        let tmp = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        let inURL = tmp.appendingPathComponent("child-in-\(id)")
        let outURL = tmp.appendingPathComponent("child-out-\(id)")
        let errURL = tmp.appendingPathComponent("child-err-\(id)")
        try (stdin ?? Data()).write(to: inURL)
        defer { for u in [inURL, outURL, errURL] { try? FileManager.default.removeItem(at: u) } }

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

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw Failure(description: "waitpid failed for \(executable): \(String(cString: strerror(errno)))") }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s and was killed")
            }
            usleep(5_000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? Data(contentsOf: outURL)) ?? Data()
        let err = (try? Data(contentsOf: errURL)) ?? Data()
        return Result(status: exit, stdout: out, stderr: err)
    }
}
