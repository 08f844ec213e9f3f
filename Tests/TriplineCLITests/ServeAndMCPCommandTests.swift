import Foundation
import Testing

/// `tripline serve` and `tripline mcp` as users run them: the real binary, a real loopback port,
/// the official MCP Python client, the OpenAPI validator and schemathesis (Tests/python, installed
/// from PyPI by the README's test command).
@Suite(.serialized) struct ServeAndMCPCommandTests {
    /// The python3 on PATH (where `pip install -r Tests/python/requirements.txt` put the tools).
    static let python: String = ProcessInfo.processInfo.environment["PATH"].flatMap { path in
        path.split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    } ?? "/usr/bin/python3"

    static func pythonScript(_ name: String) -> String { CLIRunner.projectRoot.appendingPathComponent("Tests/python/\(name)").path }

    @Test func serveRefusesAPublicAddressWithoutAToken() throws {
        var env = ProcessInfo.processInfo.environment
        env["TRIPLINE_API_TOKEN"] = nil
        let r = try CLIRunner.run(["serve", "--host", "0.0.0.0", "--port", "0"], environment: env)
        #expect(r.status == 2)
        #expect(r.stderr.contains("TRIPLINE_API_TOKEN") && r.stderr.contains("0.0.0.0"), "\(r.stderr)")
    }

    @Test(.timeLimit(.minutes(15)))
    func serveMatchesItsOpenAPIUnderFuzzingAndShutsDownGracefully() throws {
        let dir = try CLIRunner.tempDir()
        let models = dir.appendingPathComponent("models").path
        let train = try CLIRunner.run(["train", "--data-path", CLIRunner.projectRoot.appendingPathComponent("test_logs/auth.log").path,
                                       "--baseline-days", "1", "--model-dir", models])
        #expect(train.status == 0)
        var env = ProcessInfo.processInfo.environment
        env["TRIPLINE_API_TOKEN"] = "fuzz-token-\(getpid())"
        let server = try ChildProcess.start(CLIRunner.binary.path, ["serve", "--port", "0", "--rate-limit", "0", "--model-dir", models],
                                            environment: env, cwd: dir)
        defer { server.cleanUp() }
        let banner = try server.waitForStderr(containing: "serving on http://127.0.0.1:")
        guard let r = banner.range(of: "serving on http://127.0.0.1:"), let port = Int(banner[r.upperBound...].prefix { $0.isNumber }) else {
            Issue.record("no port in \(banner)")
            return
        }
        let check = try ChildProcess.run(Self.python, [Self.pythonScript("api_contract_test.py"), "http://127.0.0.1:\(port)",
                                                       env["TRIPLINE_API_TOKEN"] ?? "", "--sigterm", String(server.pid)], cwd: dir, timeout: 900)
        let out = String(decoding: check.stdout + check.stderr, as: UTF8.self)
        print(out)
        #expect(check.status == 0, "\(out)")
        // SIGTERM was sent during the last request (again here, in case the script stopped early):
        // the server ends cleanly.
        server.signal(SIGTERM)
        let status = try server.wait(timeout: 30)
        #expect(status == 0, "exit status after SIGTERM: \(status)")
        let log = String(decoding: server.stderr, as: UTF8.self)
        #expect(log.contains("path=/analyze/file") && log.contains("status=200") && log.contains("client=127.0.0.1"), "one access-log line per request on standard error")
        #expect(!log.contains(env["TRIPLINE_API_TOKEN"] ?? "-"), "the token never reaches the log")
    }

    @Test(.timeLimit(.minutes(5)))
    func mcpServerWithTheOfficialPythonClient() throws {
        let r = try ChildProcess.run(Self.python, [Self.pythonScript("mcp_client_test.py"), CLIRunner.binary.path], timeout: 900)
        let out = String(decoding: r.stdout + r.stderr, as: UTF8.self)
        print(out)
        #expect(r.status == 0, "\(out)")
        #expect(out.contains("0 failure(s)"))
    }
}
