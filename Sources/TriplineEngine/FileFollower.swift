import Foundation
import TriplineCore
#if canImport(Glibc)
import Glibc
#endif

/// Follows files the way `tail -F` does, by polling (inotify-free, so it works on every
/// filesystem, and costs a `stat` per file per poll when nothing happens): it survives
/// rename-and-recreate rotation (the old file is read to its end first), copytruncate and
/// truncation, waits for files that do not exist yet, picks up new files matching a glob,
/// never hands out a partial last line until it is complete, and loses or doubles no line.
///
/// Files are known by identity (device and inode), not name: with a glob such as
/// `auth.log*`, the `auth.log.1` that rotation makes is the file already read under its old
/// name, and is followed on from where reading stopped (a copy made by copytruncate is
/// recognised by its first bytes), never read again from the top. A line longer than
/// ``LogReader/maxLineBytes`` is skipped whole, as the reader skips it.
/// `-` follows standard input (a pipe such as `journalctl -f -u ssh | tripline -`) until it ends.
public final class FileFollower {
    /// One followed path.
    final class Followed {
        let path: String
        var fd: Int32 = -1
        var device: UInt64 = 0
        var inode: UInt64 = 0
        var offset: Int64 = 0
        var lineNumber = 0
        /// Lines as they complete, by the one rule for over-long lines.
        var splitter = LineSplitter()
        var fingerprint: [UInt8] = []
        var parser: LineParser
        /// Standard input (`-`): read as it comes, never rotated; `ended` after end of file.
        var isStream = false
        var ended = false

        init(path: String, parser: LineParser) {
            self.path = path
            self.parser = parser
        }
    }

    /// Paths or globs given.
    public let patterns: [String]
    /// Read files from their start (else from their end, after some history).
    public let fromStart: Bool
    /// History read from the end of each file at start, in bytes.
    public let historyBytes: Int
    let options: ParseOptions
    let format: LogFormat?
    private var followed: [String: Followed] = [:]
    private var order: [String] = []
    private var lastGlob: Date = .distantPast
    /// How often globs are expanded again, in seconds.
    public var globInterval: TimeInterval = 1
    /// Files read to a point and then rotated away or truncated: a file that turns up later
    /// under a glob with the same identity (renamed) or the same first bytes (a copytruncate
    /// copy) is followed on from that point. The newest few are kept.
    private var retired: [Retired] = []
    private struct Retired {
        var device: UInt64
        var inode: UInt64
        var fingerprint: [UInt8]
        var offset: Int64
        var lineNumber: Int
    }
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    /// Bytes each poll reads per file at most, so one huge backlog cannot starve the others.
    static let maxBytesPerPoll = 8 << 20

    /// A follower for paths or globs (`/var/log/auth.log*`).
    public init(patterns: [String], fromStart: Bool, historyBytes: Int = 256 << 10, options: ParseOptions, format: LogFormat? = nil) {
        self.patterns = patterns
        self.fromStart = fromStart
        self.historyBytes = historyBytes
        self.options = options
        self.format = format
        discover(initial: true)
    }

    /// Files being followed (existing or awaited).
    public var files: [String] { order }

    /// Lines skipped so far, over all files.
    public var skipped: Int { followed.values.reduce(0) { $0 + $1.parser.summary.problemLines } }

    /// Bytes not read yet, over all files (how far behind the files the engine is).
    public var lag: Int64 {
        var total: Int64 = 0
        for f in followed.values {
            var st = stat()
            if !f.isStream, stat(f.path, &st) == 0, UInt64(st.st_ino) == f.inode { total += max(0, Int64(st.st_size) - f.offset) }
        }
        return total
    }

    static func isGlob(_ p: String) -> Bool { p.contains("*") || p.contains("?") || p.contains("[") }

    func discover(initial: Bool) {
        for p in patterns {
            if FileFollower.isGlob(p) {
                for path in FileFollower.expandGlob(p) { add(path, initial: initial) }
            } else {
                add(p, initial: initial)
            }
        }
    }

    /// True once standard input, when followed, has ended.
    public var inputEnded: Bool { followed["-"]?.ended ?? false }

    private func add(_ path: String, initial: Bool) {
        guard followed[path] == nil else { return }
        if !initial, continueKnown(path) { return }
        if path == "-" {
            let f = Followed(path: path, parser: LineParser(options: options, format: format, file: "(stdin)"))
            f.isStream = true
            f.fd = 0
            followed[path] = f
            order.append(path)
            return
        }
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return }
        followed[path] = Followed(path: path, parser: LineParser(options: options, format: format, file: path))
        order.append(path)
        // A file that appears later is new: read it from its start.
        open(followed[path]!, atEnd: initial && !fromStart)
    }

    /// A file found under a glob that is one already read under another name: the followed
    /// file renamed (its reading moves to the new name; the old name waits for its new file),
    /// a retired file renamed, or a copy of a truncated file. Returns false for a new file.
    private func continueKnown(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        let device = UInt64(st.st_dev), inode = UInt64(st.st_ino)
        if let (oldPath, f) = followed.first(where: { !$0.value.isStream && $0.value.fd >= 0 && $0.value.device == device && $0.value.inode == inode }) {
            // Renamed under our eyes (the old name has not been polled since): the reading moves.
            let moved = Followed(path: path, parser: f.parser)
            moved.fd = f.fd
            moved.device = f.device
            moved.inode = f.inode
            moved.offset = f.offset
            moved.lineNumber = f.lineNumber
            moved.splitter = f.splitter
            moved.fingerprint = f.fingerprint
            followed[path] = moved
            order.append(path)
            followed[oldPath] = Followed(path: oldPath, parser: LineParser(options: options, format: format, file: oldPath))
            return true
        }
        var from: Retired?
        if let r = retired.last(where: { $0.device == device && $0.inode == inode }) {
            from = r
        } else {
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            if fd >= 0 {
                let head = readFingerprint(fd)
                close(fd)
                if head.count == 64, let r = retired.last(where: { $0.fingerprint == head && Int64(st.st_size) >= $0.offset }) { from = r }
            }
        }
        guard let r = from else { return false }
        let f = Followed(path: path, parser: LineParser(options: options, format: format, file: path))
        followed[path] = f
        order.append(path)
        open(f, atEnd: false)
        if f.fd >= 0, Int64(st.st_size) >= r.offset {
            f.offset = r.offset
            f.lineNumber = r.lineNumber
        }
        return true
    }

    /// Remembers where reading of a file stopped before it was rotated away or truncated.
    private func retire(_ f: Followed, offset: Int64, lineNumber: Int) {
        retired.append(Retired(device: f.device, inode: f.inode, fingerprint: f.fingerprint, offset: offset, lineNumber: lineNumber))
        if retired.count > 64 { retired.removeFirst(retired.count - 64) }
    }

    private func open(_ f: Followed, atEnd: Bool) {
        let fd = Glibc.open(f.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var st = stat()
        fstat(fd, &st)
        f.fd = fd
        f.device = UInt64(st.st_dev)
        f.inode = UInt64(st.st_ino)
        f.offset = 0
        f.lineNumber = 0
        f.splitter.reset()
        f.fingerprint = readFingerprint(fd)
        if atEnd {
            let size = Int64(st.st_size)
            let start = max(0, size - Int64(historyBytes))
            // Count the lines before the history so file:line stays right.
            f.lineNumber = countNewlines(fd, from: 0, to: start)
            f.offset = start
            if start > 0 {
                // Skip the partial line the history starts in.
                var b = [UInt8](repeating: 0, count: 1)
                var skippedBytes: Int64 = 0
                while pread(fd, &b, 1, off_t(start + skippedBytes)) == 1 {
                    skippedBytes += 1
                    if b[0] == 0x0A { break }
                }
                f.offset = start + skippedBytes
                f.lineNumber += 1
            }
        }
    }

    private func readFingerprint(_ fd: Int32) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 64)
        let n = pread(fd, &b, 64, 0)
        return n > 0 ? Array(b[0..<n]) : []
    }

    /// Reads what is new in every file and hands out the events of complete lines, in order.
    /// Returns the number of bytes read.
    @discardableResult
    public func poll(_ onEvent: (LogEvent) -> Void) -> Int {
        var total = 0
        for path in order {
            guard let f = followed[path] else { continue }
            total += pollOne(f, onEvent)
        }
        // After the files (a rotation they saw is retired by now, so the renamed file is known).
        if Date().timeIntervalSince(lastGlob) >= globInterval {
            lastGlob = Date()
            let known = order.count
            discover(initial: false)
            for path in order[known...] {
                if let f = followed[path] { total += pollOne(f, onEvent) }
            }
        }
        return total
    }

    private func pollOne(_ f: Followed, _ onEvent: (LogEvent) -> Void) -> Int {
        if f.isStream {
            guard !f.ended else { return 0 }
            let n = drain(f, onEvent, all: false)
            if f.ended { flushPartial(f, onEvent) }
            return n
        }
        var st = stat()
        let exists = stat(f.path, &st) == 0
        if f.fd < 0 {
            guard exists else { return 0 } // still waiting for it
            open(f, atEnd: false)
            if f.fd < 0 { return 0 }
        }
        var read = 0
        if !exists || UInt64(st.st_ino) != f.inode || UInt64(st.st_dev) != f.device {
            // Rotated (renamed away, maybe recreated): finish the old file, then switch.
            read += drain(f, onEvent, all: true)
            flushPartial(f, onEvent)
            retire(f, offset: f.offset, lineNumber: f.lineNumber)
            close(f.fd)
            f.fd = -1
            if exists { open(f, atEnd: false); read += drain(f, onEvent, all: false) }
            return read
        }
        if Int64(st.st_size) < f.offset || (f.offset > 0 && readFingerprint(f.fd) != f.fingerprint && !f.fingerprint.isEmpty && Int64(st.st_size) >= Int64(f.fingerprint.count)) {
            // Truncated (copytruncate) or overwritten: start again from the top. A copy made
            // first (auth.log.1) carries on from here if a glob brings it.
            retire(f, offset: f.offset - Int64(f.splitter.pendingBytes), lineNumber: f.lineNumber)
            f.offset = 0
            f.lineNumber = 0
            f.splitter.reset()
            f.fingerprint = readFingerprint(f.fd)
        }
        if f.fingerprint.count < 64, Int64(st.st_size) > Int64(f.fingerprint.count) { f.fingerprint = readFingerprint(f.fd) }
        read += drain(f, onEvent, all: false)
        return read
    }

    /// Reads from the file's offset to its end (capped per poll unless `all`).
    private func drain(_ f: Followed, _ onEvent: (LogEvent) -> Void, all: Bool) -> Int {
        var total = 0
        while all || total < FileFollower.maxBytesPerPoll {
            let n: Int
            if f.isStream {
                // Only what is there already: a pipe must not block the engine.
                var p = pollfd(fd: f.fd, events: Int16(POLLIN), revents: 0)
                guard Glibc.poll(&p, 1, 0) > 0 else { break }
                n = buffer.withUnsafeMutableBytes { read(f.fd, $0.baseAddress, $0.count) }
                if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { f.ended = true; break }
            } else {
                n = buffer.withUnsafeMutableBytes { pread(f.fd, $0.baseAddress, $0.count, off_t(f.offset)) }
            }
            if n <= 0 { break }
            f.offset += Int64(n)
            total += n
            buffer.withUnsafeBufferPointer { raw in
                f.splitter.push(ByteSpan(UnsafeBufferPointer(rebasing: raw[..<n]))) { piece($0, f, onEvent) }
            }
        }
        return total
    }

    /// A rotated file's last line without a newline is complete: the file will not grow again.
    private func flushPartial(_ f: Followed, _ onEvent: (LogEvent) -> Void) {
        f.splitter.finish { piece($0, f, onEvent) }
    }

    /// One line (or an over-long one, skipped whole) of `f`.
    private func piece(_ p: LineSplitter.Piece, _ f: Followed, _ onEvent: (LogEvent) -> Void) {
        switch p {
        case .line(let line):
            emit(f, line, onEvent)
        case .tooLong:
            f.lineNumber += 1
            f.parser.skipTooLong(number: f.lineNumber)
        }
    }

    private func emit(_ f: Followed, _ line: ByteSpan, _ onEvent: (LogEvent) -> Void) {
        f.lineNumber += 1
        for e in f.parser.parse(line, number: f.lineNumber) { onEvent(e) }
    }

    deinit {
        for f in followed.values where f.fd >= 0 && !f.isStream { close(f.fd) }
    }
}

extension FileFollower {
    /// The paths a glob matches now.
    public static func expandGlob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
    }
}
