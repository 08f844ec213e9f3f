import Foundation
import Testing

/// The Dockerfile, docker-compose.yml, Kubernetes manifests and systemd units, checked without a
/// Docker engine or a cluster (none runs on these machines): Tests/python/deployment_test.py
/// parses them and runs every tripline command they name through the real binary.
@Suite struct DeploymentFilesTests {
    @Test func deploymentFilesSayWhatMatters() throws {
        let r = try ChildProcess.run(ServeAndMCPCommandTests.python,
                                     [ServeAndMCPCommandTests.pythonScript("deployment_test.py"), CLIRunner.binary.path], timeout: 120)
        let out = String(decoding: r.stdout + r.stderr, as: UTF8.self)
        print(out)
        #expect(r.status == 0 && out.contains("0 failure(s)"), "\(out)")
    }
}
