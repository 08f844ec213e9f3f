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
///
/// Compressed files (gzip, xz, zstd: logrotate's history) are history, never followed: one named
/// on its own, or found by a glob at the start with `fromStart`, is read once, decompressed;
/// otherwise, and when one appears later (a rotation compressing a file already read), it is
/// left alone. With
/// `fromStart`, the files found at the start are read oldest first (by modification time),
/// each to its end before the next, so the rotated history comes before the live file.
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
        /// A compressed file read once from the start: its decoder, where it is in the
        /// compressed bytes, and whether it has been read to its end.
        var decompressor: Decompressor?
        var rawOffset: Int64 = 0
        var finished = false

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
    /// Parsing options; `folderHosts` grows with the files globs find in per-host folders.
    private(set) var options: ParseOptions
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
    /// Journals followed (the system's, or journal files and folders given): new entries are
    /// read as they are written.
    private var journals: [(path: String, reader: JournalReader)] = []
    /// Entries read per poll from each journal at most.
    static let maxEntriesPerPoll = 20_000
    /// History read from a journal at start without `fromStart`, in entries.
    public let journalHistory: Int

    /// Compressed files found after the start, or without `fromStart`: not read, not asked again.
    private var leftAlone: Set<String> = []
    /// Reading the files found at the start oldest first, each to its end before the next.
    private var catchingUp: Bool
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    /// Bytes each poll reads per file at most, so one huge backlog cannot starve the others.
    static let maxBytesPerPoll = 8 << 20

    /// A follower for paths or globs (`/var/log/auth.log*`).
    public init(patterns: [String], fromStart: Bool, historyBytes: Int = 256 << 10, journalHistory: Int = 2_000, options: ParseOptions,
                format: LogFormat? = nil) {
        self.patterns = patterns
        self.journalHistory = journalHistory
        self.fromStart = fromStart
        self.historyBytes = historyBytes
        self.options = options
        self.format = format
        self.catchingUp = fromStart
        discover(initial: true)
    }

    /// Files being followed (existing or awaited).
    public var files: [String] { order }

    /// Files that could not be read on (damaged compressed history), with the reason.
    public var problems: [(file: String, reason: String)] {
        journalProblems + journals.flatMap { $0.reader.summary.unreadable } + order.compactMap { followed[$0] }.flatMap { $0.parser.summary.unreadable }
    }

    /// Lines skipped so far, over all files.
    public var skipped: Int { followed.values.reduce(0) { $0 + $1.parser.summary.problemLines } }

    /// Bytes not read yet, over all files (how far behind the files the engine is).
    public var lag: Int64 {
        var total: Int64 = 0
        for f in followed.values {
            var st = stat()
            if !f.isStream, PathName.stat(f.path, &st) == 0, UInt64(st.st_ino) == f.inode { total += max(0, Int64(st.st_size) - f.offset) }
        }
        return total
    }

    static func isGlob(_ p: String) -> Bool { p.contains("*") || p.contains("?") || p.contains("[") }

    func discover(initial: Bool) {
        for p in patterns {
            if FileFollower.isGlob(p) {
                var paths = FileFollower.expandGlob(p)
                if initial && fromStart { paths = FileFollower.oldestFirst(paths) }
                // `/var/log/remote/*/auth.log`: lines that name no host take their folder's.
                options.folderHosts.merge(FolderHosts.of(paths)) { known, _ in known }
                for path in paths { add(path, initial: initial, named: false) }
            } else {
                add(p, initial: initial, named: true)
            }
        }
    }

    /// True once standard input, when followed, has ended.
    public var inputEnded: Bool { followed["-"]?.ended ?? false }

    private func add(_ path: String, initial: Bool, named: Bool) {
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
        guard !leftAlone.contains(path) else { return }
        if addJournal(path, initial: initial) { return }
        var st = stat()
        if PathName.stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return }
        if let kind = FileFollower.compression(of: path) {
            // Read when asked for: named on its own, or history under a glob with fromStart.
            guard initial && (fromStart || named) else { leftAlone.insert(path); return }
            let f = Followed(path: path, parser: LineParser(options: options, format: format, file: path))
            let fd = PathName.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            do throws(Decompressor.Failure) {
                guard fd >= 0 else { throw Decompressor.Failure(reason: String(cString: strerror(errno))) }
                f.fd = fd
                f.decompressor = try Decompressor(format: kind)
            } catch {
                f.parser.failed(error.reason)
                f.finished = true
            }
            followed[path] = f
            order.append(path)
            return
        }
        followed[path] = Followed(path: path, parser: LineParser(options: options, format: format, file: path))
        order.append(path)
        // A file that appears later is new: read it from its start.
        open(followed[path]!, atEnd: initial && !fromStart)
    }

    /// Follows `path` when it is a journal (the system's, a journal folder or a journal
    /// file); false when it is not one. A journal that cannot be opened is named in
    /// ``problems``.
    private func addJournal(_ path: String, initial: Bool) -> Bool {
        guard !journals.contains(where: { $0.path == path }) else { return true }
        var isDirectory = false
        if path != LogReader.systemJournal {
            var st = stat()
            guard PathName.stat(path, &st) == 0 else { return false }
            isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            if isDirectory {
                guard JournalReader.isJournalDirectory(path) else { return false }
            } else {
                guard FileFollower.startsAsJournal(path) else { return false }
            }
        }
        do {
            let reader: JournalReader
            if path == LogReader.systemJournal {
                reader = try JournalReader(localSystem: options)
            } else {
                let fd = PathName.open(path, O_RDONLY | O_CLOEXEC | (isDirectory ? O_DIRECTORY : 0))
                guard fd >= 0 else { throw JournalReader.Failure(description: String(cString: strerror(errno))) }
                reader = isDirectory ? try JournalReader(directoryDescriptor: fd, name: path, options: options)
                                     : try JournalReader(fileDescriptors: [fd], name: path, options: options)
            }
            if initial && fromStart { reader.seek(after: nil) } else { reader.seekToEnd(keeping: initial ? journalHistory : 0) }
            journals.append((path, reader))
        } catch {
            journalProblems.append((path, "\(error)"))
        }
        order.append(path)
        return true
    }

    private var journalProblems: [(file: String, reason: String)] = []

    static func startsAsJournal(_ path: String) -> Bool {
        firstBytes(of: path).withUnsafeBufferPointer { JournalReader.isJournal(head: ByteSpan($0)) }
    }

    /// A file found under a glob that is one already read under another name: the followed
    /// file renamed (its reading moves to the new name; the old name waits for its new file),
    /// a retired file renamed, or a copy of a truncated file. Returns false for a new file.
    private func continueKnown(_ path: String) -> Bool {
        var st = stat()
        guard PathName.stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        let device = UInt64(st.st_dev), inode = UInt64(st.st_ino)
        if takeOver(path, device: device, inode: inode) != nil {
            order.append(path)
            return true
        }
        var from: Retired?
        if let r = retired.last(where: { $0.device == device && $0.inode == inode }) {
            from = r
        } else {
            let fd = PathName.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
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
        resume(f, from: r)
        return true
    }

    /// The file now at `path` is one another name is reading (renamed under our eyes, and that
    /// name not polled since): the reading moves to `path`, and the other name waits for its
    /// new file. Returns the moved reading, or nil when no other name reads that file.
    private func takeOver(_ path: String, device: UInt64, inode: UInt64) -> Followed? {
        guard let (oldPath, f) = followed.first(where: {
            $0.key != path && !$0.value.isStream && $0.value.decompressor == nil && $0.value.fd >= 0 && $0.value.device == device && $0.value.inode == inode
        }) else { return nil }
        let moved = Followed(path: path, parser: f.parser)
        moved.fd = f.fd
        moved.device = f.device
        moved.inode = f.inode
        moved.offset = f.offset
        moved.lineNumber = f.lineNumber
        moved.splitter = f.splitter
        moved.fingerprint = f.fingerprint
        followed[path] = moved
        followed[oldPath] = Followed(path: oldPath, parser: LineParser(options: options, format: format, file: oldPath))
        return moved
    }

    /// Carries on reading `f`, just opened, where a retired reading of the same file stopped.
    private func resume(_ f: Followed, from r: Retired) {
        var st = stat()
        if f.fd >= 0, fstat(f.fd, &st) == 0, Int64(st.st_size) >= r.offset {
            f.offset = r.offset
            f.lineNumber = r.lineNumber
        }
    }

    /// Opens the file now at a followed name whose file changed: a file another name reads
    /// moves here, a file read before (rotated away under another name) carries on where
    /// that stopped, anything else is new and read from its start. Returns the reading.
    private func reopen(_ f: Followed) -> Followed {
        var st = stat()
        if PathName.stat(f.path, &st) == 0 {
            if let moved = takeOver(f.path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino)) { return moved }
        }
        open(f, atEnd: false)
        if f.fd >= 0, let r = retired.last(where: { $0.device == f.device && $0.inode == f.inode }) { resume(f, from: r) }
        return f
    }

    /// Remembers where reading of a file stopped before it was rotated away or truncated.
    private func retire(_ f: Followed, offset: Int64, lineNumber: Int) {
        retired.append(Retired(device: f.device, inode: f.inode, fingerprint: f.fingerprint, offset: offset, lineNumber: lineNumber))
        if retired.count > 64 { retired.removeFirst(retired.count - 64) }
    }

    private func open(_ f: Followed, atEnd: Bool) {
        let fd = PathName.open(f.path, O_RDONLY | O_CLOEXEC)
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
    public func poll(_ onEvent: (consuming LogEvent) -> Void) -> Int {
        var total = 0
        for j in journals {
            j.reader.refresh()
            total += j.reader.read(limit: FileFollower.maxEntriesPerPoll, onEvent) * 128
        }
        var behind = false
        for path in order {
            guard let f = followed[path] else { continue }
            let n = pollOne(f, onEvent)
            total += n
            // Catching up: a file with more to read keeps the newer files waiting.
            if catchingUp && (n >= FileFollower.maxBytesPerPoll || (f.decompressor != nil && !f.finished)) { behind = true; break }
        }
        if !behind { catchingUp = false }
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

    private func pollOne(_ f: Followed, _ onEvent: (consuming LogEvent) -> Void) -> Int {
        if let d = f.decompressor {
            return f.finished ? 0 : inflate(f, d, onEvent)
        }
        if f.isStream {
            guard !f.ended else { return 0 }
            let n = drain(f, onEvent, all: false)
            if f.ended { flushPartial(f, onEvent) }
            return n
        }
        var st = stat()
        let exists = PathName.stat(f.path, &st) == 0
        var f = f
        if f.fd < 0 {
            guard exists else { return 0 } // still waiting for it
            f = reopen(f)
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
            if exists {
                let now = reopen(f)
                read += drain(now, onEvent, all: false)
            }
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
    private func drain(_ f: Followed, _ onEvent: (consuming LogEvent) -> Void, all: Bool) -> Int {
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

    /// Reads the next piece of a compressed file (capped per poll); at its end (or at damage,
    /// named in the file's summary) the file is finished and closed.
    private func inflate(_ f: Followed, _ d: Decompressor, _ onEvent: (consuming LogEvent) -> Void) -> Int {
        var total = 0
        while total < FileFollower.maxBytesPerPoll {
            let fd = f.fd
            var n: Int
            do {
                n = try buffer.withUnsafeMutableBufferPointer { out in
                    try d.read(into: out.baseAddress!, capacity: out.count) { raw, cap in
                        let got = pread(fd, raw, cap, off_t(f.rawOffset))
                        if got > 0 { f.rawOffset += Int64(got) }
                        return got < 0 ? -Int(errno) - 1 : got
                    }
                }
            } catch {
                f.parser.failed((error as? Decompressor.Failure)?.reason ?? "\(error)")
                n = 0
            }
            if n < 0 { f.parser.failed(String(cString: strerror(Int32(-n - 1)))) }
            if n <= 0 {
                flushPartial(f, onEvent)
                f.finished = true
                close(f.fd)
                f.fd = -1
                break
            }
            total += n
            buffer.withUnsafeBufferPointer { raw in
                f.splitter.push(ByteSpan(UnsafeBufferPointer(rebasing: raw[..<n]))) { piece($0, f, onEvent) }
            }
        }
        return total
    }

    /// A rotated file's last line without a newline is complete: the file will not grow again.
    private func flushPartial(_ f: Followed, _ onEvent: (consuming LogEvent) -> Void) {
        f.splitter.finish { piece($0, f, onEvent) }
    }

    /// One line (or an over-long one, skipped whole) of `f`.
    private func piece(_ p: LineSplitter.Piece, _ f: Followed, _ onEvent: (consuming LogEvent) -> Void) {
        switch p {
        case .line(let line):
            emit(f, line, onEvent)
        case .tooLong:
            f.lineNumber += 1
            f.parser.skipTooLong(number: f.lineNumber)
        case .blankLines(let run):
            for _ in 0..<run { emit(f, ByteSpan(UnsafeBufferPointer<UInt8>(start: nil, count: 0)), onEvent) }
        }
    }

    private func emit(_ f: Followed, _ line: ByteSpan, _ onEvent: (consuming LogEvent) -> Void) {
        f.lineNumber += 1
        for e in f.parser.parse(line, number: f.lineNumber) { onEvent(e) }
    }

    deinit {
        for f in followed.values where f.fd >= 0 && !f.isStream { close(f.fd) }
    }
}

extension FileFollower {
    /// The compression `path` starts with (gzip, xz, zstd), or nil for a plain file (or none).
    static func compression(of path: String) -> Decompressor.Format? {
        firstBytes(of: path).withUnsafeBufferPointer { Decompressor.Format.detect(ByteSpan($0)) }
    }

    /// The first bytes (up to 8, enough for every magic number) of the regular file at
    /// `path`; empty for anything else or a file that cannot be read.
    static func firstBytes(of path: String) -> [UInt8] {
        let fd = PathName.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return [] }
        var head = [UInt8](repeating: 0, count: 8)
        let n = pread(fd, &head, 8, 0)
        return n > 0 ? Array(head[..<n]) : []
    }

    /// Paths by modification time, oldest first (rotated history before the live file; by
    /// name where the times are equal).
    static func oldestFirst(_ paths: [String]) -> [String] {
        func mtime(_ p: String) -> (Int, Int) {
            var st = stat()
            guard PathName.stat(p, &st) == 0 else { return (Int.max, 0) }
            return (Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec))
        }
        return paths.map { ($0, mtime($0)) }.sorted { ($0.1.0, $0.1.1, $0.0) < ($1.1.0, $1.1.1, $1.0) }.map(\.0)
    }

    /// The paths a glob matches now.
    public static func expandGlob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        // Matched by their bytes, and carried as PathName does (a name that is not UTF-8 stays openable).
        guard PathName.fileSystemBytes(pattern).withUnsafeBufferPointer({ glob($0.baseAddress!, 0, nil, &g) }) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { i in
            g.gl_pathv[i].map { p in PathName.string(fromBytes: UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))) }
        }
    }
}
