import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads log files (or standard input) in any supported format and hands each event to a
/// closure, streaming in 1 MiB chunks so that memory does not grow with the file (JSON arrays
/// excepted: those are read whole).
///
/// Bad input never stops it: blank, binary, over-long and unparseable lines are counted in the
/// ``ParseSummary`` with their `file:line`; invalid UTF-8 is kept with replacement characters.
public struct LogReader: Sendable {
    /// Longest line accepted; longer ones are skipped.
    public static let maxLineBytes = LineSplitter.maxLineBytes
    /// Largest JSON document (an array of records, read whole) accepted; a bigger one is passed
    /// over with a note to write it as NDJSON, which is read line by line in any size.
    public static let maxDocumentBytes = 256 << 20
    /// Bytes read at a time: a quarter megabyte reads a file in as few calls as makes no
    /// difference (a 46 MB log in 180), and the buffer is resident for the whole analysis.
    static let chunkBytes = 256 << 10

    /// Parsing options (year, zone).
    public var options: ParseOptions
    /// The format to use, or nil to detect it per file.
    public var format: LogFormat?

    /// Decides, for each file opened, whether it may be read: nil admits it, a reason refuses it
    /// (the file is reported unreadable with that reason). It is asked about the open
    /// descriptor, not the name, so a name swapped for a link or a FIFO after a check changes
    /// nothing; with it set, files are opened non-blocking, so a FIFO cannot stall the reader,
    /// and standard input (`-`) is refused. The MCP server sets it (regular files under the
    /// allowed folders only); the command line leaves it nil (`<(zcat log.gz)` is a pipe).
    public var admit: (@Sendable (_ fd: Int32) -> String?)?

    /// A reader with the given options; `format` nil detects each file's format.
    public init(options: ParseOptions = ParseOptions(), format: LogFormat? = nil) {
        self.options = options
        self.format = format
    }

    /// Expands folders into the regular, non-hidden files directly inside them (sorted; not
    /// subfolders, so `/var/log` does not drag in `journal/` or `apt/`), keeping files and `-`
    /// as given. A folder that holds no files, only subfolders, is a central syslog server's
    /// per-host layout (`/var/log/remote/HOST/…`): the files of each subfolder are read.
    public static func expand(_ paths: [String]) -> [String] { expandFindingHosts(paths).files }

    /// ``expand(_:)``, and for files found in a host's subfolder, that subfolder's name. Each
    /// file is listed once, by identity (device and inode): the same file named twice, through
    /// a link, or as a folder and a file in it is read once; `sameAs` says which names were
    /// dropped and the name kept for each.
    public static func expandFindingHosts(_ paths: [String]) -> (files: [String], found: [String: String], sameAs: [(file: String, original: String)]) {
        let (files, found) = expandAll(paths)
        var seen: [FileIdentity: String] = [:]
        var kept: [String] = []
        var sameAs: [(file: String, original: String)] = []
        kept.reserveCapacity(files.count)
        for f in files {
            guard f != "-", f != systemJournal, let id = FileIdentity(path: f) else { kept.append(f); continue }
            if let first = seen[id] {
                sameAs.append((f, first))
            } else {
                seen[id] = f
                kept.append(f)
            }
        }
        return (kept, found, sameAs)
    }

    private static func expandAll(_ paths: [String]) -> (files: [String], found: [String: String]) {
        var out: [String] = []
        var found: [String: String] = [:]
        // By their bytes (PathName): a name that is not UTF-8 (`h\xffx/`) is listed and opened
        // as any other (FileManager passed it over).
        func entries(_ p: String) -> (files: [String], folders: [String]) {
            var files: [String] = [], folders: [String] = []
            for name in PathName.entries(p).sorted() where !name.hasPrefix(".") {
                let full = p.hasSuffix("/") ? p + name : p + "/" + name
                if PathName.isFolder(full) { folders.append(full) } else if PathName.exists(full) { files.append(full) }
            }
            return (files, folders)
        }
        for p in paths {
            guard p != "-", PathName.isFolder(p), !JournalReader.isJournalDirectory(p) else {
                out.append(p)
                continue
            }
            let (files, folders) = entries(p)
            if files.isEmpty {
                for folder in folders where !JournalReader.isJournalDirectory(folder) {
                    let inside = entries(folder).files
                    for f in inside { found[f] = PathName.lastComponent(folder) }
                    out += inside
                }
            } else {
                out += files
            }
        }
        return (out, found)
    }

    /// This reader with the hosts of files in a per-host layout set (see ``FolderHosts``).
    public func withFolderHosts(_ files: [String], found: [String: String]) -> LogReader {
        var r = self
        r.options.folderHosts.merge(FolderHosts.of(files, found: found)) { given, _ in given }
        return r
    }

    /// Reads every path (folders expanded) and returns the merged summary.
    public func read(paths: [String], _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        var total = ParseSummary()
        let (files, found, sameAs) = LogReader.expandFindingHosts(paths)
        let reader = withFolderHosts(files, found: found)
        for p in files {
            total.merge(try reader.read(path: p, onEvent))
        }
        total.noteSameFiles(sameAs)
        return total
    }

    /// Reads every path (folders expanded) as one timeline: several files are merged by time
    /// as they are read (see ``EventMerge``), in memory that does not grow with their number
    /// or size.
    public func readMerged(paths: [String], _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        let (files, found, sameAs) = LogReader.expandFindingHosts(paths)
        let reader = withFolderHosts(files, found: found)
        var summary = files.count <= 1 ? try reader.read(paths: files, onEvent) : try EventMerge.read(files, reader: reader, onEvent)
        summary.noteSameFiles(sameAs)
        return summary
    }

    /// The name that stands for the local system's journal among paths (`--journal`).
    public static let systemJournal = "(system journal)"

    /// Reads one file (`-` for standard input), or a journal file or folder.
    public func read(path: String, _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        var summary = ParseSummary()
        summary.files.append(path)
        guard let steps = openSteps(path, &summary, chunkBytes: LogReader.chunkBytes) else { return summary }
        while !steps.isDone { try steps.step(onEvent) }
        return steps.summary
    }

    /// Opens `path` for reading a step at a time: a log file, standard input (`-`), a journal
    /// file or a journal folder; nil, with the reason in `summary`, when it cannot or may not
    /// be read.
    func openSteps(_ path: String, _ summary: inout ParseSummary, chunkBytes: Int) -> EventSteps? {
        if path == LogReader.systemJournal {
            guard admit == nil else {
                summary.unreadable.append((path, "the system journal is not read here"))
                return nil
            }
            do {
                return JournalReader.Steps(try JournalReader(localSystem: options), opening: summary)
            } catch {
                summary.unreadable.append((path, error.description))
                return nil
            }
        }
        guard let fd = openForReading(path, &summary) else { return nil }
        var st = stat()
        let isDirectory = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        var head = [UInt8](repeating: 0, count: 8)
        if isDirectory || (fd != 0 && (st.st_mode & S_IFMT) == S_IFREG && pread(fd, &head, 8, 0) == 8
                           && head.withUnsafeBufferPointer({ JournalReader.isJournal(head: ByteSpan($0)) })) {
            do {
                let reader = isDirectory ? try JournalReader(directoryDescriptor: fd, name: path, options: options)
                                         : try JournalReader(fileDescriptors: [fd], name: path, options: options)
                return JournalReader.Steps(reader, opening: summary)
            } catch {
                summary.unreadable.append((path, error.description)) // the reader closed the descriptor
                return nil
            }
        }
        return ReadingSteps(path: path, summary: summary, firstLine: 1, options: options, format: format, chunkBytes: chunkBytes,
                            next: { buf, cap in
            while true {
                let n = systemRead(fd, buf, cap)
                if n < 0, errno == EINTR { continue }
                return n < 0 ? -Int(errno) - 1 : n
            }
        }, onEnd: { if fd != 0 { close(fd) } })
    }

    /// Opens `path` (`-`: standard input, descriptor 0) as this reader may read it; nil, with
    /// the reason in `summary`, when it cannot or may not be read. A folder opens only when it
    /// is a journal folder. The caller closes it.
    func openForReading(_ path: String, _ summary: inout ParseSummary) -> Int32? {
        if admit != nil, path == "-" {
            summary.unreadable.append((path, "standard input is not read here"))
            return nil
        }
        let fd: Int32 = path == "-" ? 0 : PathName.open(path, O_RDONLY | O_CLOEXEC | (admit == nil ? 0 : O_NONBLOCK))
        guard fd >= 0 else {
            summary.unreadable.append((path, String(cString: strerror(errno))))
            return nil
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, !JournalReader.isJournalDirectory(path) {
            summary.unreadable.append((path, "is a directory"))
            if fd != 0 { close(fd) }
            return nil
        }
        if let admit, let why = admit(fd) {
            summary.unreadable.append((path, why))
            if fd != 0 { close(fd) }
            return nil
        }
        return fd
    }

    /// Reads the bytes `from..<to` of a file whose line at `from` is number `firstLine` (for
    /// reading only what was appended since last time: `tripline batch`). `from` must be at a
    /// line start and `to` just after a newline.
    /// `header` (a CSV file's first line, with its newline) is read first when `from` is past it.
    public func read(path: String, from: Int64, to: Int64, firstLine: Int, header: [UInt8] = [],
                     _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        let fd = PathName.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            var summary = ParseSummary()
            summary.files.append(path)
            summary.unreadable.append((path, String(cString: strerror(errno))))
            return summary
        }
        defer { close(fd) }
        return try read(descriptor: fd, name: path, from: from, to: to, firstLine: firstLine, header: header, onEvent)
    }

    /// The same, from a file already open (`tripline batch` reads the very file it planned
    /// from, whatever its name has become since).
    public func read(descriptor fd: Int32, name path: String, from: Int64, to: Int64, firstLine: Int, header: [UInt8] = [],
                     _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        var summary = ParseSummary()
        summary.files.append(path)
        var position = from
        var pendingHeader = header[...]
        return try read(source: path, summary: summary, firstLine: firstLine - (header.isEmpty ? 0 : 1), next: { buf, cap in
            if !pendingHeader.isEmpty {
                let n = min(cap, pendingHeader.count)
                for (i, b) in pendingHeader.prefix(n).enumerated() { buf[i] = b }
                pendingHeader = pendingHeader.dropFirst(n)
                return n
            }
            let want = Int(min(Int64(cap), to - position))
            guard want > 0 else { return 0 }
            while true {
                let n = pread(fd, buf, want, off_t(position))
                if n < 0, errno == EINTR { continue }
                if n < 0 { return -Int(errno) - 1 }
                position += Int64(n)
                return n
            }
        }, onEvent)
    }

    /// Reads a compressed file already open, decompressed, from the decompressed offset
    /// `skipping` (at a line start; its line is number `firstLine`) to its end: the part of a
    /// rotated file not read before it was compressed (`tripline batch`). `header` as above.
    public func read(compressed fd: Int32, format kind: Decompressor.Format, name path: String, skipping: Int64, firstLine: Int,
                     header: [UInt8] = [], _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        var summary = ParseSummary()
        summary.files.append(path)
        summary.compressed[path] = kind.rawValue
        let d: Decompressor
        do { d = try Decompressor(format: kind) } catch {
            summary.unreadable.append((path, error.reason))
            return summary
        }
        var raw: Int64 = 0
        var toSkip = skipping
        var pendingHeader = header[...]
        var failure: String?
        let result = try read(source: path, summary: summary, firstLine: firstLine - (header.isEmpty ? 0 : 1), next: { buf, cap in
            if !pendingHeader.isEmpty {
                let n = min(cap, pendingHeader.count)
                for (i, b) in pendingHeader.prefix(n).enumerated() { buf[i] = b }
                pendingHeader = pendingHeader.dropFirst(n)
                return n
            }
            while true {
                let n: Int
                do throws(Decompressor.Failure) {
                    n = try d.read(into: buf, capacity: cap) { rb, rcap in
                        while true {
                            let got = pread(fd, rb, rcap, off_t(raw))
                            if got < 0, errno == EINTR { continue }
                            if got > 0 { raw += Int64(got) }
                            return got < 0 ? -Int(errno) - 1 : got
                        }
                    }
                } catch {
                    failure = error.reason
                    return 0
                }
                guard n > 0, toSkip > 0 else { return n }
                if Int64(n) <= toSkip { toSkip -= Int64(n); continue }
                let keep = n - Int(toSkip)
                memmove(buf, buf + Int(toSkip), keep)
                toSkip = 0
                return keep
            }
        }, onEvent)
        guard let failure else { return result }
        var out = result
        out.unreadable.append((path, failure))
        return out
    }

    /// Reads logs held in memory (a request body), as if from a file called `name`.
    public func read(bytes: [UInt8], name: String, _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        var summary = ParseSummary()
        summary.files.append(name)
        var offset = 0
        return try bytes.withUnsafeBufferPointer { all in
            try read(source: name, summary: summary, next: { buf, cap in
                let n = min(cap, all.count - offset)
                if n > 0, let base = all.baseAddress { buf.update(from: base + offset, count: n) }
                offset += n
                return n
            }, onEvent)
        }
    }

    /// The reading loop over a source of bytes: `next` fills up to `cap` bytes and returns how
    /// many (0 at the end, or `-(errno) - 1` for a read error).
    private func read(source path: String, summary initial: ParseSummary, firstLine: Int = 1, next: (UnsafeMutablePointer<UInt8>, Int) -> Int,
                      _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> ParseSummary {
        try withoutActuallyEscaping(next) { next in
            let steps = ReadingSteps(path: path, summary: initial, firstLine: firstLine, options: options, format: format,
                                     chunkBytes: LogReader.chunkBytes, next: next)
            while !steps.isDone { try steps.step(onEvent) }
            return steps.summary
        }
    }
}
