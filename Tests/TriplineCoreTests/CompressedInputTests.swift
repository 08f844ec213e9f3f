import Foundation
import Testing
@testable import TriplineCore

/// Rotated history as logrotate leaves it: gzip (and xz, zstd) files read as if plain, made by
/// the real tools, recognised by their first bytes whatever their names.
@Suite struct CompressedInputTests {
    static let log: String = (0..<400).map { i in
        let s = i % 60, m = i / 60
        return String(format: "Mar 30 10:%02d:%02d web sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2\n", m, s, 100 + i, i % 200, 40000 + i)
    }.joined()

    /// Runs `tool args` with `input` on standard input and returns its standard output, or nil
    /// when the tool is not installed.
    static func run(_ tool: String, _ args: [String], input: [UInt8]) throws -> [UInt8]? {
        guard let path = ["/usr/bin/", "/bin/", "/usr/local/bin/"].map({ $0 + tool }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("note: \(tool) is not installed; its case is skipped (apt-get install \(tool == "xz" ? "xz-utils" : tool))")
            return nil
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try p.run()
        let writer = Thread { inPipe.fileHandleForWriting.write(Data(input)); try? inPipe.fileHandleForWriting.close() }
        writer.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(out)
    }

    static func compressed(_ tool: String, _ text: String) throws -> [UInt8]? {
        try run(tool, ["-c"], input: Array(text.utf8))
    }

    /// Garbage after the end of the compressed data is an error for every format (gzip once
    /// took it without a word while xz refused it); zero padding after a gzip member is not.
    @Test(arguments: ["gzip", "xz", "zstd"])
    func garbageAfterTheEndIsAnError(tool: String) throws {
        guard let bytes = try Self.compressed(tool, Self.log) else { return }
        let garbage = try temporaryFile(bytes + Array("appended after compression\n".utf8), name: "garbage.\(tool)")
        let (events, summary) = readAll(garbage)
        #expect(events.count == 400, "the lines before it are read")
        #expect(summary.unreadable.count == 1, "\(tool): \(summary.report())")
        if tool == "gzip" {
            let padded = try temporaryFile(bytes + [UInt8](repeating: 0, count: 300_000), name: "padded.gz")
            let (e2, s2) = readAll(padded)
            #expect(e2.count == 400 && s2.unreadable.isEmpty, "\(s2.report())")
        }
    }

    @Test(arguments: ["gzip", "xz", "zstd"])
    func readsAsIfPlain(tool: String) throws {
        guard let bytes = try Self.compressed(tool, Self.log) else { return }
        let (plain, ps) = readAll(try temporaryFile(Self.log, name: "auth.log"))
        // A name that says nothing: the content decides.
        let (events, s) = readAll(try temporaryFile(bytes, name: "auth.log.2"))
        #expect(plain.count == 400 && events.count == 400)
        #expect(events.map(\.sourceIP) == plain.map(\.sourceIP))
        #expect(events.map(\.timestamp) == plain.map(\.timestamp))
        #expect(events.last?.line == ps.linesRead)
        #expect(s.unreadable.isEmpty && s.passedOver.isEmpty)
        #expect(s.compressed.values.first == tool)
        #expect(s.report().contains("compressed (\(tool))"))
    }

    /// Evidence lines are found in the decompressed text, numbered as the reader numbers them.
    @Test(arguments: ["gzip", "xz", "zstd"])
    func evidenceLinesAreTheText(tool: String) throws {
        guard let bytes = try Self.compressed(tool, Self.log) else { return }
        let file = try temporaryFile(bytes, name: "auth.log.4")
        let fd = open(file, O_RDONLY)
        #expect(fd >= 0)
        let found = EvidenceLines.read(fd, lines: [1, 250, 400, 401])
        let plain = Self.log.split(separator: "\n").map(String.init)
        #expect(found == [1: plain[0], 250: plain[249], 400: plain[399]])
    }

    /// `cat a.gz b.gz > c.gz` is a valid gzip file holding both; padding after the last member
    /// is ignored, as `gzip -d` does.
    @Test func readsEveryGzipMemberAndIgnoresPadding() throws {
        let lines = Self.log.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines[..<150].joined(separator: "\n") + "\n", second = lines[150...].joined(separator: "\n")
        guard let a = try Self.compressed("gzip", first), let b = try Self.compressed("gzip", second) else { return }
        let (events, s) = readAll(try temporaryFile(a + b + [UInt8](repeating: 0, count: 512), name: "auth.log.3.gz"))
        #expect(events.count == 400)
        #expect(s.unreadable.isEmpty)
    }

    /// A file cut short (a copy interrupted, a disk full): what came before the cut is read, the
    /// unfinished line at the cut is not, and the file is named with the reason.
    @Test(arguments: ["gzip", "xz", "zstd"])
    func aTruncatedFileGivesWhatCameBeforeTheCut(tool: String) throws {
        // Incompressible enough that the cut falls mid-stream.
        var rng = SplitMix64(seed: 7)
        let text = (0..<20_000).map { i in
            "Mar 30 10:00:00 web sshd[\(i)]: Failed password for u\(rng.next() % 100_000) from 198.51.100.\(rng.next() % 250) port \(rng.next() % 60_000) ssh2\n"
        }.joined()
        guard let bytes = try Self.compressed(tool, text) else { return }
        let (events, s) = readAll(try temporaryFile(Array(bytes.prefix(bytes.count / 2)), name: "auth.log.2.\(tool)"))
        #expect(events.count > 1000 && events.count < 20_000, "\(events.count)")
        #expect(events.allSatisfy { $0.user?.hasPrefix("u") == true && $0.sourcePort != nil })
        #expect(s.unreadable.count == 1)
        #expect(s.unreadable.first?.reason.contains("\(tool): ") == true, "\(s.unreadable)")
        #expect(!s.nothingRead)
    }

    /// Damage in the middle: named, never a crash or a hang, and the next file is still read.
    @Test func corruptDataIsNamedAndTheNextFileRead() throws {
        guard var bytes = try Self.compressed("gzip", Self.log) else { return }
        for i in stride(from: bytes.count / 3, to: bytes.count / 3 + 40, by: 1) { bytes[i] ^= 0x5A }
        let bad = try temporaryFile(bytes, name: "auth.log.2.gz")
        let good = try temporaryFile(Self.log, name: "auth.log")
        var events = 0
        let s = LogReader(options: ParseOptions(year: 2026, timeZone: TimeZone(identifier: "UTC")!)).read(paths: [bad, good]) { _ in events += 1 }
        #expect(s.unreadable.map(\.file) == [bad])
        #expect(s.unreadable.first?.reason.contains("gzip") == true)
        #expect(events >= 400)
    }

    @Test func compressedBinaryIsPassedOver() throws {
        guard let bytes = try Self.run("gzip", ["-c"], input: [0, 1, 2, 3, 0xFF, 0xFE, 0, 0, 0, 7]) else { return }
        let (events, s) = readAll(try temporaryFile(bytes, name: "core.gz"))
        #expect(events.isEmpty)
        #expect(s.passedOver.first?.reason.contains("gzip-compressed, but what it holds is binary") == true, "\(s.passedOver)")
    }
}
