import Foundation
import TriplineCore

/// libFuzzer targets over what reads attacker-chosen bytes: the syslog line parser, the
/// structured reader (JSON documents, NDJSON, CSV, as `LogReader` detects them) and the model
/// loader. One binary; `TRIPLINE_FUZZ_TARGET` (syslog, structured, model) picks the target.
/// Built only by `scripts/fuzz.sh` (`-sanitize=fuzzer,address -DTRIPLINE_FUZZING`); an ordinary
/// build makes a stub that says so.
enum FuzzTargets {
    static let target = ProcessInfo.processInfo.environment["TRIPLINE_FUZZ_TARGET"] ?? "syslog"

    /// Runs the chosen target on one input; any crash, hang or leak is the finding.
    static func run(_ bytes: UnsafeRawBufferPointer) {
        switch target {
        case "structured": structured(bytes)
        case "model": model(bytes)
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
