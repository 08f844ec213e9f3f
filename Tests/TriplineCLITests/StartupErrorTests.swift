import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Errors a user meets when starting a command say what happened and what to do, not a
/// library's internals (`bind(descriptor:ptr:bytes:)`, `NSCocoaErrorDomain error 256`).
@Suite struct StartupErrorTests {
    /// A port another program holds: serve says so and exits 2.
    @Test func aPortInUseIsNamed() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0)
        #expect(listen(fd, 1) == 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let dir = try CLIRunner.tempDir()
        let r = try CLIRunner.run(["serve", "--port", String(port), "--model-dir", dir.path])
        #expect(r.status == 2, "exit \(r.status)")
        #expect(r.stderr.contains("port \(port) on 127.0.0.1 is in use") && !r.stderr.contains("bind(descriptor"), "\(r.stderr)")
    }

    @Test func exportNamesAFolderOrAMissingFile() throws {
        let dir = try CLIRunner.tempDir()
        let folder = try CLIRunner.run(["export", dir.path])
        #expect(folder.status == 2 && folder.stderr.contains("is a folder") && !folder.stderr.contains("NSCocoaErrorDomain"), "\(folder.stderr)")
        let missing = try CLIRunner.run(["export", dir.appendingPathComponent("none.json").path])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"), "\(missing.stderr)")
    }
}
