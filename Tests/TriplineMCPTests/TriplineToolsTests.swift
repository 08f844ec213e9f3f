import Foundation
import MCP
import Testing
import TriplineCore
import TriplineTestSupport
import TriplineEngine
@testable import TriplineMCP

/// The MCP tools in-process (the protocol itself is tested with the official Python client in
/// the CLI tests): what each tool answers, and what it refuses.
@Suite struct TriplineToolsTests {
    static func folder() throws -> URL {
        let dir = TestFolders.url("tripline-mcp")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let attack: String = (0..<8).map {
        "2026-01-10T10:00:0\($0)Z web sshd[\(100 + $0)]: Failed password for root from 203.0.113.9 port 22 ssh2"
    }.joined(separator: "\n") + "\n"

    static func text(_ r: CallTool.Result) -> String {
        r.content.compactMap { if case .text(let t, _, _) = $0 { return t } else { return nil } }.joined()
    }

    static func json(_ r: CallTool.Result) throws -> JSONValue { try JSONParser.parse(text(r)) }

    @Test func analyzeListExplainWithTheLinesBehind() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("auth.log")
        try Self.attack.write(to: log, atomically: true, encoding: .utf8)
        let tools = TriplineTools(service: AnalysisService(modelDirectory: dir.path), roots: AllowedRoots([dir.path]))

        let analysed = tools.call("analyze_log_file", ["file_path": .string(log.path)])
        #expect(analysed.isError == false, "\(Self.text(analysed))")
        let listed = try Self.json(tools.call("list_anomalies", ["kind": .string("brute_force")]))
        guard case .array(let anomalies)? = listed["anomalies"], let first = anomalies.first, let id = first["id"]?.scalarText else {
            Issue.record("no brute force listed: \(listed)")
            return
        }
        #expect(first["source_ip"]?.scalarText == "203.0.113.9")
        let explained = try Self.json(tools.call("explain_anomaly", ["id": .string(id)]))
        guard case .array(let lines)? = explained["evidence_lines"] else {
            Issue.record("no evidence lines: \(explained)")
            return
        }
        #expect(lines.count == 8)
        #expect(lines.first?.scalarText == "\(log.path):1: 2026-01-10T10:00:00Z web sshd[100]: Failed password for root from 203.0.113.9 port 22 ssh2")
    }

    /// Evidence in a gzip-compressed rotated file is read decompressed, not as its bytes.
    @Test func evidenceInACompressedFileIsItsText() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("auth.log.2")
        try Self.attack.write(to: log, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-9", log.path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        let gz = dir.appendingPathComponent("auth.log.2.gz").path
        let tools = TriplineTools(service: AnalysisService(modelDirectory: dir.path), roots: AllowedRoots([dir.path]))
        #expect(tools.call("analyze_log_file", ["file_path": .string(gz)]).isError == false)
        let listed = try Self.json(tools.call("list_anomalies", ["kind": .string("brute_force")]))
        guard case .array(let anomalies)? = listed["anomalies"], let id = anomalies.first?["id"]?.scalarText,
              case .array(let lines)? = try Self.json(tools.call("explain_anomaly", ["id": .string(id)]))["evidence_lines"] else {
            Issue.record("no brute force explained: \(listed)")
            return
        }
        #expect(lines.count == 8)
        #expect(lines.last?.scalarText == "\(gz):8: 2026-01-10T10:00:07Z web sshd[107]: Failed password for root from 203.0.113.9 port 22 ssh2")
    }

    @Test func refusesWhatItMustNotDo() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tools = TriplineTools(service: AnalysisService(modelDirectory: dir.path), roots: AllowedRoots([dir.path]))
        let outside = tools.call("analyze_log_file", ["file_path": .string("/etc/passwd")])
        #expect(outside.isError == true)
        #expect(!Self.text(outside).contains("root:"), "nothing of the file is shown")
        #expect(tools.call("no_such_tool", [:]).isError == true)
        #expect(tools.call("analyze_logs", ["logs": .string("")]).isError == true)
        #expect(tools.call("list_anomalies", ["severity": .string("severe")]).isError == true)
        #expect(tools.call("explain_anomaly", ["id": .string("TL-0000")]).isError == true)
        // A NUL in a path is refused, not cut (the part before it would be read).
        try Self.attack.write(toFile: dir.path + "/a.log", atomically: true, encoding: .utf8)
        let nul = tools.call("analyze_log_file", ["file_path": .string(dir.path + "/a.log\u{0}/../../etc/passwd")])
        #expect(nul.isError == true && Self.text(nul).contains("NUL"), "\(Self.text(nul))")
    }

    /// Numbers at and past every integer bound, of every JSON type, in every argument: an
    /// error or an answer, never a trap that stops the server.
    @Test func numbersPastEveryBoundAreAnswered() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tools = TriplineTools(service: AnalysisService(modelDirectory: dir.path), roots: AllowedRoots([dir.path]))
        let numbers: [Value] = [.double(1e19), .double(-1e19), .double(1e300), .double(-1e300), .double(9_223_372_036_854_775_808),
                                .double(.infinity), .double(-.infinity), .double(.nan), .double(0.5), .int(.max), .int(.min), .int(0), .int(-1),
                                .string("99999999999999999999999"), .bool(true), .array([.int(1)]), .object([:]), .null]
        for n in numbers {
            let r = tools.call("list_anomalies", ["limit": n])
            if case .int(let i) = n, (1...AnomalyFilter.maximumLimit).contains(i) { #expect(r.isError != true) }
            if case .double(let d) = n, abs(d) > 1e18 || d != d.rounded() { #expect(r.isError == true, "limit \(n)") }
            for key in ["severity", "kind", "user", "source_ip", "host", "since", "until"] { _ = tools.call("list_anomalies", [key: n]) }
            for (tool, key) in [("analyze_logs", "logs"), ("analyze_logs", "min_severity"), ("analyze_log_file", "file_path"), ("explain_anomaly", "id")] {
                if case .string = n, key == "logs" { continue }  // a line of text is a log
                #expect(tools.call(tool, [key: n]).isError == true, "\(tool) \(key) \(n)")
            }
        }
    }

    @Test func statsSayWhyThereIsNoModel() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"version\": 3,".utf8).write(to: dir.appendingPathComponent("model.json"))
        let tools = TriplineTools(service: AnalysisService(modelDirectory: dir.path), roots: AllowedRoots([dir.path]))
        let stats = try Self.json(tools.call("get_detection_stats", [:]))
        #expect(stats["model_loaded"] == .bool(false))
        #expect(stats["model_error"]?.scalarText?.contains("damaged") == true, "\(stats)")
        _ = tools.call("analyze_logs", ["logs": .string(Self.attack)])
        let after = try Self.json(tools.call("get_detection_stats", [:]))
        #expect(after["analyses"]?.numberValue == 1)
        #expect(after["anomalies_found"]?.numberValue == 1)
    }

    /// A journal file under the allowed folders is analysed as its text would be; a journal
    /// folder is refused (its entries could link out of the allowed folders).
    @Test func analysesAJournalFileAndRefusesJournalFolders() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let machine = dir.appendingPathComponent("journal/0123456789abcdef0123456789abcdef")
        try FileManager.default.createDirectory(at: machine, withIntermediateDirectories: true)
        let file = machine.appendingPathComponent("system.journal").path
        let entries = (0..<12).map { i in
            JournalFixture.Entry(time: JournalFixture.t0 + Int64(i) * 2_000_000, host: "web-01", program: "sshd", pid: 300 + i, facility: 4,
                                 message: "Failed password for root from 203.0.113.9 port \(50000 + i) ssh2")
        }
        guard try JournalFixture.write(entries, at: file) else { return }
        let tools = TriplineTools(service: AnalysisService(modelDirectory: dir.path), roots: AllowedRoots([dir.path]))
        let analysed = tools.call("analyze_log_file", ["file_path": .string(file)])
        #expect(analysed.isError == false, "\(Self.text(analysed))")
        #expect(try Self.json(analysed)["events_analyzed"]?.numberValue == 12)
        let listed = try Self.json(tools.call("list_anomalies", ["kind": .string("brute_force")]))
        guard case .array(let anomalies)? = listed["anomalies"] else { Issue.record("no list: \(listed)"); return }
        #expect(anomalies.first?["source_ip"]?.scalarText == "203.0.113.9")
        // The evidence is the entries, shown as the lines they were read as.
        if let id = anomalies.first?["id"]?.scalarText, case .array(let lines)? = try Self.json(tools.call("explain_anomaly", ["id": .string(id)]))["evidence_lines"] {
            #expect(lines.count >= 8)
            #expect(lines.first?.scalarText?.hasPrefix("\(file):1: 2026-03-02T00:00:00") == true, "\(lines)")
            #expect(lines.first?.scalarText?.hasSuffix(" web-01 sshd[300]: Failed password for root from 203.0.113.9 port 50000 ssh2") == true, "\(lines)")
            #expect(lines.allSatisfy { $0.scalarText?.contains("not readable") == false })
        } else {
            Issue.record("no evidence lines")
        }
        let folder = tools.call("analyze_log_file", ["file_path": .string(dir.appendingPathComponent("journal").path)])
        #expect(folder.isError == true || (try? Self.json(folder)["events_analyzed"]?.numberValue) == 0, "\(Self.text(folder))")
    }
}
