import Foundation
import Testing
@testable import TriplineCore
import TriplineTestSupport

/// A central syslog server keeps each host's logs in a folder named after it; lines written
/// without a host name take the folder's, and lines that name their host keep it.
@Suite struct FolderHostTests {
    static let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!))

    /// `/var/log/remote/HOST/auth.log` as rsyslog writes it with a template that leaves the host
    /// out (`%TIMESTAMP% %syslogtag%%msg%`).
    static func layout() throws -> URL {
        let root = TestFolders.url("remote")
        for (h, host) in ["web-01", "10.0.0.7", "db01.example.org"].enumerated() {
            let d = root.appendingPathComponent(host)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            var text = ""
            for k in 0..<5 {
                text += "2026-03-02T10:0\(k):0\(h).000000+00:00 sshd[\(100 + k)]: Failed password for root from 198.51.100.\(h + 1) port \(4000 + k) ssh2\n"
            }
            // One line that names its own host keeps it.
            text += "2026-03-02T10:09:0\(h).000000+00:00 relay-\(h) sshd[200]: Failed password for root from 198.51.100.9 port 9 ssh2\n"
            try text.write(to: d.appendingPathComponent("auth.log"), atomically: true, encoding: .utf8)
        }
        return root
    }

    static func hosts(_ paths: [String], merged: Bool = true) -> [String: Int] {
        var count: [String: Int] = [:]
        let s = merged ? reader.readMerged(paths: paths) { count[$0.host ?? "(none)", default: 0] += 1 }
                       : reader.read(paths: paths) { count[$0.host ?? "(none)", default: 0] += 1 }
        #expect(s.events == 18)
        return count
    }

    @Test func aFolderOfHostFoldersNamesEachHost() throws {
        let root = try Self.layout()
        let expected = ["web-01": 5, "10.0.0.7": 5, "db01.example.org": 5, "relay-0": 1, "relay-1": 1, "relay-2": 1]
        #expect(Self.hosts([root.path]) == expected)
        #expect(Self.hosts([root.path], merged: false) == expected)
    }

    @Test func filesInSiblingFoldersNameTheirHosts() throws {
        let root = try Self.layout()
        let files = ["web-01", "10.0.0.7", "db01.example.org"].map { root.appendingPathComponent($0).appendingPathComponent("auth.log").path }
        #expect(Self.hosts(files)["10.0.0.7"] == 5)
        #expect(Self.hosts(files)["web-01"] == 5)
    }

    /// One file on its own says nothing about a layout: its lines stay without a host.
    @Test func aFileOnItsOwnTakesNoHostFromItsFolder() throws {
        let root = try Self.layout()
        var hosts: [String?] = []
        _ = Self.reader.read(paths: [root.appendingPathComponent("web-01/auth.log").path]) { hosts.append($0.host) }
        #expect(hosts.count == 6 && hosts.filter { $0 == nil }.count == 5)
    }

    /// A folder name that is no host name (spaces, control characters) is not used.
    @Test func onlyHostLikeNamesAreUsed() {
        #expect(FolderHosts.isHostName("web-01") && FolderHosts.isHostName("2001:db8::1") && FolderHosts.isHostName("a.b_c"))
        #expect(!FolderHosts.isHostName("my host") && !FolderHosts.isHostName("..") && !FolderHosts.isHostName("a\u{1b}[2J")
                && !FolderHosts.isHostName(""))
        let hosts = FolderHosts.of(["/srv/logs/a b/auth.log", "/srv/logs/web/auth.log"])
        #expect(hosts == ["/srv/logs/web/auth.log": "web"])
    }

    /// Structured lines without a host field take the folder's too.
    @Test func structuredLinesWithoutAHostTakeTheFolders() throws {
        let root = TestFolders.url("remote")
        for host in ["alpha", "beta"] {
            let d = root.appendingPathComponent(host)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try #"{"timestamp":"2026-03-02T10:00:00Z","event_type":"login","outcome":"failure","user":"root","source_ip":"203.0.113.5"}"#
                .appending("\n").write(to: d.appendingPathComponent("auth.ndjson"), atomically: true, encoding: .utf8)
        }
        var hosts: [String] = []
        _ = Self.reader.readMerged(paths: [root.path]) { hosts.append($0.host ?? "(none)") }
        #expect(hosts.sorted() == ["alpha", "beta"])
    }
}
