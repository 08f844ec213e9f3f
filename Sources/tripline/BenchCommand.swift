import ArgumentParser
import Foundation
import TriplineCore
import TriplineGenerator
import TriplineCommandLine

/// `tripline bench`: measured throughput of Tripline's hot paths, for BENCHMARKS.md.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure parsing throughput on generated logs (use a release build).",
        discussion: """
        Generates logs with `tripline generate` (or uses --data DIR, a folder it made), then reads each file --runs times into events, one thread, and prints \
        lines per second (median and best), MB/s, CPU time and peak memory. Build with \
        `swift build -c release` first: debug builds are many times slower.
        """,
        subcommands: [],
        defaultSubcommand: nil
    )

    @Argument(help: ArgumentHelp("What to measure: parse (log reading), or model (loading --model-dir's model.json).", valueName: "target"))
    var target: String = "parse"

    @Option(name: .long, help: ArgumentHelp("Folder made by tripline generate (default: generate into a temporary folder).", valueName: "dir"))
    var data: String?

    @Option(name: .long, help: "Approximate syslog lines to generate when --data is not given.")
    var lines = 1_000_000

    @Option(name: .long, help: "Timed runs per file.")
    var runs = 5

    @Option(name: .long, help: ArgumentHelp("For bench model: the folder holding model.json.", valueName: "dir"))
    var modelDir: String?

    func validate() throws {
        guard target == "parse" || target == "model" else { throw ValidationError("unknown benchmark '\(target)': available: parse, model") }
        if target == "model", modelDir == nil { throw ValidationError("bench model needs --model-dir DIR (a folder holding model.json)") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        if target == "model", let modelDir { return try BenchCommand.modelLoad(modelDir, runs: runs) }
        let dir: String
        if let data {
            dir = data
        } else {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("tripline-bench-\(getpid())").path
            printError("generating about \(lines) syslog lines into \(dir) …")
            _ = try AuthLogGenerator(config: GeneratorConfig(outputDirectory: dir, days: 7, users: 25, seed: 42, targetEvents: lines)).run()
        }
        // NDJSON in Tripline's own (wider) schema, from the syslog file: as many lines as it has.
        let parsedPath = URL(fileURLWithPath: dir).appendingPathComponent("auth.parsed.ndjson").path
        if !FileManager.default.fileExists(atPath: parsedPath) {
            printError("writing \(parsedPath) (tripline parse of auth.log) …")
            try BenchCommand.convert(URL(fileURLWithPath: dir).appendingPathComponent("auth.log").path, to: parsedPath)
        }
        #if DEBUG
        printError("warning: this is a debug build; figures are not representative (swift build -c release)")
        #endif
        print("benchmark  file                      lines      size     median s  best s   lines/s (median)  MB/s    cpu s")
        for (label, name, format) in [("syslog", "auth.log", LogFormat.syslog), ("ndjson", "ndjson/events.ndjson", LogFormat.ndjson),
                                    ("ndjson", "auth.parsed.ndjson", LogFormat.ndjson)] {
            let path = URL(fileURLWithPath: dir).appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else {
                printError("no \(path): run tripline generate --out \(dir) first")
                throw ExitCode(2)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            var times: [Double] = []
            var cpu: [Double] = []
            var count = 0
            let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!), format: format)
            for _ in 0..<runs {
                var n = 0
                var failures = 0
                let c0 = BenchCommand.cpuSeconds()
                let t0 = DispatchTime.now().uptimeNanoseconds
                let summary = reader.read(path: path) { e in
                    n += 1
                    if e.outcome == .failure { failures += 1 }
                }
                let t1 = DispatchTime.now().uptimeNanoseconds
                cpu.append(BenchCommand.cpuSeconds() - c0)
                times.append(Double(t1 - t0) / 1e9)
                count = summary.linesRead
                precondition(n > 0 && failures >= 0)
            }
            let sorted = times.sorted()
            let median = sorted[sorted.count / 2]
            let best = sorted[0]
            let cpuMedian = cpu.sorted()[cpu.count / 2]
            let head = label.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + name.padding(toLength: 25, withPad: " ", startingAt: 0)
            print(head + String(format: " %9d  %6.1f MB  %7.3f  %7.3f  %14.0f  %7.1f  %6.3f",
                                count, Double(size) / 1e6, median, best,
                                Double(count) / median, Double(size) / 1e6 / median, cpuMedian))
        }
        print(String(format: "peak RSS: %.1f MB", BenchCommand.peakRSSMegabytes()))
    }

    /// Times `TriplineModel.load` (read, parse, check) `runs` times and prints median and best.
    static func modelLoad(_ dir: String, runs: Int) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: TriplineModel.path(in: dir))[.size] as? Int) ?? 0
        var times: [Double] = []
        var users = 0
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let m: TriplineModel
            do { m = try TriplineModel.load(from: dir) } catch {
                printError(error.description)
                throw ExitCode(2)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            users = m.users.count
        }
        let sorted = times.sorted()
        print(String(format: "model %@: %.2f MB, %d users; load median %.1f ms, best %.1f ms (%d runs)",
                     TriplineModel.path(in: dir), Double(size) / 1e6, users, sorted[sorted.count / 2], sorted[0], runs))
    }

    /// Writes `tripline parse` output for `source` to `target` (atomically).
    static func convert(_ source: String, to target: String) throws {
        let tmp = target + ".tmp"
        _ = FileManager.default.createFile(atPath: tmp, contents: nil)
        guard let h = FileHandle(forWritingAtPath: tmp) else {
            printError("cannot write \(tmp)")
            throw ExitCode(2)
        }
        var w = JSONWriter()
        let reader = LogReader(options: ParseOptions(timeZone: TimeZone(identifier: "UTC")!), format: .syslog)
        _ = try reader.read(path: source) { e in
            e.writeJSON(to: &w)
            w.bytes.append(0x0A)
            if w.bytes.count > 1 << 20 {
                try h.write(contentsOf: Data(w.bytes))
                w.bytes.removeAll(keepingCapacity: true)
            }
        }
        try h.write(contentsOf: Data(w.bytes))
        try h.close()
        guard rename(tmp, target) == 0 else {
            printError("cannot rename \(tmp) to \(target)")
            throw ExitCode(2)
        }
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }

    static func peakRSSMegabytes() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024
    }
}
