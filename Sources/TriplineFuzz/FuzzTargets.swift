import Foundation
import TriplineCore
import TriplineEngine

/// libFuzzer targets over what reads attacker-chosen bytes: the syslog line parser, the
/// structured reader (JSON documents, NDJSON, CSV, as `LogReader` detects them) and the model
/// loader; the CSV reader on its own, and the MCP server's request framing and decoding. One
/// binary; `TRIPLINE_FUZZ_TARGET` (syslog, structured, model, csv, mcp) picks the target.
/// Built only by `scripts/fuzz.sh` (`-sanitize=fuzzer,address -DTRIPLINE_FUZZING`); an ordinary
/// build makes a stub that says so.
enum FuzzTargets {
    static let target = ProcessInfo.processInfo.environment["TRIPLINE_FUZZ_TARGET"] ?? "syslog"

    /// Runs the chosen target on one input; any crash, hang or leak is the finding.
    static func run(_ bytes: UnsafeRawBufferPointer) {
        switch target {
        case "structured": structured(bytes)
        case "model": model(bytes)
        case "csv": csv(bytes)
        case "mcp": mcp(bytes)
        default: syslog(bytes)
        }
    }

    /// Each line through the syslog parser with one parser (its state carries over lines, as in a file).
    static func syslog(_ bytes: UnsafeRawBufferPointer) {
        var parser = SyslogParser(options: ParseOptions(year: 2026, timeZone: TimeZone(identifier: "UTC") ?? .current))
        var line = 0
        var start = 0
        let all = bytes.bindMemory(to: UInt8.self)
        for i in 0...all.count where i == all.count || all[i] == 0x0A {
            line += 1
            let span = ByteSpan(UnsafeBufferPointer(rebasing: all[start..<i]))
            _ = parser.parse(span, file: "fuzz", line: line)
            start = i + 1
        }
        // And the whole input as a log, through the detector.
        var d = Detector(model: nil)
        _ = LogReader(options: ParseOptions(year: 2026), format: .syslog).read(bytes: Array(all), name: "fuzz") { d.process($0) }
        _ = d.finish()
    }

    /// The input as a file of every structured format, then auto-detected.
    static func structured(_ bytes: UnsafeRawBufferPointer) {
        let data = Array(bytes)
        for format in [LogFormat.json, .ndjson, .csv, nil] {
            var d = Detector(model: nil)
            _ = LogReader(format: format).read(bytes: data, name: "fuzz") { d.process($0) }
            _ = d.finish()
        }
        _ = try? RecordBatch.events(body: data, name: "fuzz")
    }

    /// The input as CSV, through the reader and the detector: every line is counted once,
    /// whatever quotes it opens (a record spans at most 64 lines), and the events keep the
    /// order of their lines.
    static func csv(_ bytes: UnsafeRawBufferPointer) {
        let data = Array(bytes)
        var lines: [Int] = []
        var d = Detector(model: nil)
        let summary = LogReader(options: ParseOptions(year: 2026), format: .csv).read(bytes: data, name: "fuzz.csv") { e in
            lines.append(e.line)
            d.process(e)
        }
        _ = d.finish()
        // Lines end with LF, or with CR alone in a file that has no LF (see LineSplitter).
        let lf = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let newlines = lf > 0 ? lf : data.reduce(0) { $0 + ($1 == 0x0D ? 1 : 0) }
        precondition(summary.linesRead <= newlines + 1, "more lines counted (\(summary.linesRead)) than the input holds (\(newlines + 1))")
        precondition(lines == lines.sorted(), "events out of the order of their lines")
        precondition(lines.allSatisfy { $0 >= 1 && $0 <= newlines + 1 }, "an event names a line the input has not")
    }

    /// The MCP server's request decoding: the input as a stream framed into messages (read in
    /// pieces whose sizes the input chooses), each message parsed as JSON-RPC, and the
    /// arguments of a `list_anomalies` call read as a filter is. The framer keeps every byte of
    /// each message it hands on and never one over its bound.
    static func mcp(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 1 else { return }
        let cut = Int(bytes[0]) + 1
        let stream = UnsafeRawBufferPointer(rebasing: bytes[1...])
        let maxBytes = 4096
        var framer = LineFramer(maxBytes: maxBytes)
        var messages: [Data] = []
        var dropped = 0
        var at = 0
        while at < stream.count {
            let n = min(cut, stream.count - at)
            framer.push(UnsafeRawBufferPointer(rebasing: stream[at..<(at + n)]), message: { messages.append($0) }, tooLong: { dropped += 1 })
            at += n
        }
        // What the framer handed on is exactly the input's lines within the bound.
        let expected = stream.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().filter { !$0.isEmpty && $0.count <= maxBytes }
        precondition(messages.count == expected.count && zip(messages, expected).allSatisfy { Array($0) == Array($1) },
                     "the framer changed a message")
        for m in messages {
            guard let request = try? JSONParser.parse(String(decoding: m, as: UTF8.self)), let params = request["params"] else { continue }
            let arguments = params["arguments"]
            func text(_ key: String) -> String? { arguments?[key]?.scalarText }
            _ = try? AnomalyFilter.parse(severity: text("severity"), kind: text("kind"), user: text("user"), sourceIP: text("source_ip"),
                                         host: text("host"), since: text("since"), until: text("until"), limit: text("limit"))
        }
    }

    /// The input as `model.json`.
    static func model(_ bytes: UnsafeRawBufferPointer) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tripline-fuzz-model-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: TriplineModel.path(in: dir), contents: Data(bytes))
        if let m = try? TriplineModel.load(from: dir) {
            var d = Detector(model: m)
            let t = Timestamp(microseconds: 1_768_039_200_000_000)
            d.process(LogEvent(timestamp: t, host: "h", program: "sshd", user: "root", sourceIP: "203.0.113.1", eventType: .login,
                               outcome: .success, action: "accepted", authMethod: "password", message: "Accepted"))
            _ = d.finish()
            // What loads saves, and reads back the same (the writer is not JSONEncoder: names,
            // numbers and nesting are its own to get right). A number past Double's range read
            // as infinite is refused by the save, which is the writer's to do.
            let again = dir + "-saved"
            if (try? m.save(to: again)) != nil {
                guard let back = try? TriplineModel.load(from: again) else { fatalError("a saved model does not load") }
                precondition(back.users == m.users && back.sources == m.sources && back.hosts == m.hosts && back.networks == m.networks
                             && back.globalVolume == m.globalVolume && back.training == m.training && back.config == m.config,
                             "a saved model reads back otherwise")
                let trees = (back.forest?.trees ?? []).map { [$0.feature, $0.left, $0.right, $0.size] }
                precondition(trees == (m.forest?.trees ?? []).map { [$0.feature, $0.left, $0.right, $0.size] }
                             && (back.forest?.trees ?? []).map(\.threshold) == (m.forest?.trees ?? []).map(\.threshold),
                             "a saved forest reads back otherwise")
            }
        }
    }
}

#if TRIPLINE_FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzTargets.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's driver (in the fuzzer runtime `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point under this name: hand over to libFuzzer.
@_cdecl("TriplineFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var args = argv
    return LLVMFuzzerRunDriver(&count, &args, fuzzOneInput)
}
#else
@main
enum FuzzStub {
    static func main() {
        FileHandle.standardError.write(Data("tripline-fuzz is built by scripts/fuzz.sh (libFuzzer and AddressSanitizer); this build is a stub\n".utf8))
        exit(2)
    }
}
#endif
