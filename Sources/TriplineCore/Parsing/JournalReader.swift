import CSystemd
import Foundation

/// Reads the systemd journal through libsystemd's sd-journal: journal files, a journal folder
/// (`/var/log/journal/`), or the local system's journal. It selects what rsyslog would write to
/// `auth.log` (the `auth` and `authpriv` facilities) and the programs the syslog path
/// understands, and hands each entry to the same parser as the line
/// `TIME HOST PROGRAM[PID]: MESSAGE`, so a journal gives the events its text form gives, with
/// the journal's `_HOSTNAME` and timestamps.
///
/// An entry's evidence location is the journal and the entry's number among those selected.
/// Fields are read up to sd-journal's data threshold (64 KiB), so a hostile entry costs no more.
public final class JournalReader {
    /// Why a journal could not be opened or read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// The first bytes of every journal file (`LPKSHHRH`).
    public static let magic: [UInt8] = Array("LPKSHHRH".utf8)

    /// Programs whose entries are read whatever their facility.
    static let programs = [
        "sshd", "sshd-session", "sudo", "su", "su-l", "login", "systemd-logind", "passwd", "chpasswd", "chage",
        "useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod", "gpasswd", "adduser", "deluser", "newusers",
    ]

    private var journal: OpaquePointer?
    /// Descriptors the journal was opened from: sd-journal reads through them and leaves them
    /// to their owner, this reader, to close after it.
    private var descriptors: [Int32] = []
    private var state: FileState
    /// The name evidence and problems are reported under.
    public let name: String
    private var entry = 0
    private var lineBuffer: [UInt8] = []

    /// What reading found so far.
    public private(set) var summary = ParseSummary()

    /// The journal files open as `fds` (checked by the caller: MCP's allowed roots), read as one.
    /// The reader takes the descriptors: they are closed with it, or at once when it fails.
    public init(fileDescriptors fds: [Int32], name: String, options: ParseOptions) throws(Failure) {
        self.name = name
        state = FileState(options: options, format: .syslog, file: name)
        var j: OpaquePointer?
        var list = fds
        let rc = list.withUnsafeMutableBufferPointer { sd_journal_open_files_fd(&j, $0.baseAddress, UInt32($0.count), 0) }
        guard rc >= 0, let j else {
            for fd in fds { close(fd) } // sd-journal keeps them only when it opens
            throw Failure(description: "not a readable journal (\(String(cString: strerror(-rc))))")
        }
        journal = j // sd-journal closes the files' descriptors itself
        try select()
    }

    /// The journal folder open as `fd` (its files and its machine folders' files). The reader
    /// takes the descriptor, as above.
    public init(directoryDescriptor fd: Int32, name: String, options: ParseOptions) throws(Failure) {
        self.name = name
        state = FileState(options: options, format: .syslog, file: name)
        var j: OpaquePointer?
        let rc = sd_journal_open_directory_fd(&j, fd, 0)
        guard rc >= 0, let j else {
            close(fd)
            throw Failure(description: "not a readable journal folder (\(String(cString: strerror(-rc))))")
        }
        journal = j
        descriptors = [fd]
        try select()
    }

    /// The local system's journal (as `journalctl` reads it: persistent and runtime).
    public init(localSystem options: ParseOptions) throws(Failure) {
        name = "journal"
        state = FileState(options: options, format: .syslog, file: name)
        var j: OpaquePointer?
        let rc = sd_journal_open(&j, Int32(SD_JOURNAL_LOCAL_ONLY))
        guard rc >= 0, let j else { throw Failure(description: "the system journal cannot be opened (\(String(cString: strerror(-rc))))") }
        journal = j
        // sd-journal opens what this user may read, which may be nothing at all.
        guard sd_journal_has_runtime_files(j) > 0 || sd_journal_has_persistent_files(j) > 0 else {
            throw Failure(description: "the system journal has no files this user may read (none written yet, or run as root or as a member of the systemd-journal group)")
        }
        try select()
    }

    deinit {
        sd_journal_close(journal)
        for fd in descriptors { close(fd) }
    }

    private func select() throws(Failure) {
        var rc = sd_journal_add_match(journal, "SYSLOG_FACILITY=4", 0)
        rc = min(rc, sd_journal_add_match(journal, "SYSLOG_FACILITY=10", 0))
        rc = min(rc, sd_journal_add_disjunction(journal))
        for p in Self.programs {
            rc = min(rc, sd_journal_add_match(journal, "SYSLOG_IDENTIFIER=\(p)", 0))
        }
        guard rc >= 0 else { throw Failure(description: "cannot select entries (\(String(cString: strerror(-rc))))") }
        _ = sd_journal_set_data_threshold(journal, 64 << 10)
    }

    /// Whether a file starts as a journal file does.
    public static func isJournal(head: ByteSpan) -> Bool {
        head.count >= magic.count && magic.indices.allSatisfy { head.base[$0] == magic[$0] }
    }

    /// Whether `path` is a journal folder: it holds `*.journal` files, directly or in a
    /// machine folder (`/var/log/journal/` holds `MACHINE-ID/system.journal`).
    public static func isJournalDirectory(_ path: String) -> Bool {
        let fm = FileManager.default
        func hasJournals(_ dir: String) -> Bool {
            ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).contains { $0.hasSuffix(".journal") || $0.hasSuffix(".journal~") }
        }
        if hasJournals(path) { return true }
        let subs = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        return subs.contains { $0.count == 32 && $0.allSatisfy(\.isHexDigit) && hasJournals(path + "/" + $0) }
    }

    /// Moves to just after `cursor` (a position saved by an earlier read), or to the start
    /// when it is nil. Returns false when the journal no longer holds that entry (rotated
    /// away): reading then starts at the oldest entry there is.
    @discardableResult
    public func seek(after cursor: String?) -> Bool {
        guard let cursor else { sd_journal_seek_head(journal); return true }
        guard sd_journal_seek_cursor(journal, cursor) >= 0, sd_journal_next(journal) > 0 else {
            sd_journal_seek_head(journal)
            return false
        }
        if sd_journal_test_cursor(journal, cursor) > 0 { return true } // positioned on it: the next read moves past
        sd_journal_seek_head(journal)
        return false
    }

    /// Moves to the end, keeping the last `history` entries to read (following: what is
    /// written from now on, after a little of what came before).
    public func seekToEnd(keeping history: Int = 0) {
        sd_journal_seek_tail(journal)
        let wanted = history + 1
        // Fewer entries than that: all of them are history.
        if sd_journal_previous_skip(journal, UInt64(wanted)) < wanted { sd_journal_seek_head(journal) }
    }

    /// Takes in what was written to the journal files since the last look (new entries, new
    /// files after rotation), without waiting.
    public func refresh() {
        _ = sd_journal_process(journal)
    }

    /// The position of the last entry read, to carry on from later (``seek(after:)``).
    public var cursor: String? {
        var c: UnsafeMutablePointer<CChar>?
        guard sd_journal_get_cursor(journal, &c) >= 0, let c else { return nil }
        defer { free(c) }
        return String(cString: c)
    }

    /// Reads up to `limit` entries, handing out their events; returns how many entries were
    /// read (0 at the end of what is written so far).
    @discardableResult
    public func read(limit: Int = .max, _ onEvent: (consuming LogEvent) throws -> Void) rethrows -> Int {
        var n = 0
        while n < limit {
            let rc = sd_journal_next(journal)
            if rc < 0 {
                summary.unreadable.append((name, "the journal could not be read on (\(String(cString: strerror(-rc))))"))
                break
            }
            if rc == 0 { break }
            n += 1
            entry += 1
            try line(onEvent)
        }
        return n
    }

    /// Waits up to `seconds` for new entries; true when the journal changed.
    public func wait(seconds: Double) -> Bool {
        sd_journal_wait(journal, UInt64(max(0, seconds) * 1_000_000)) > 0
    }

    /// The value of `field` in the current entry (bytes after `FIELD=`).
    private func field(_ name: String, _ body: (ByteSpan) -> Void) -> Bool {
        var data: UnsafeRawPointer?
        var length = 0
        guard sd_journal_get_data(journal, name, &data, &length) >= 0, let data else { return false }
        let all = ByteSpan(base: data.assumingMemoryBound(to: UInt8.self), count: length)
        let skip = name.utf8.count + 1
        guard all.count >= skip else { return false }
        body(all.suffix(from: skip))
        return true
    }

    /// The current entry as the syslog line it stands for, parsed.
    private func line(_ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        guard buildLine() else { return }
        let number = entry
        try lineBuffer.withUnsafeBufferPointer { buf in
            try state.line(ByteSpan(buf), number: number, summary: &summary, onEvent)
        }
    }

    /// Reads entries on, handing each selected entry's number (its evidence line) and the
    /// syslog line it stands for to `body` until it returns false.
    public func readLines(_ body: (Int, ByteSpan) -> Bool) {
        while sd_journal_next(journal) > 0 {
            entry += 1
            guard buildLine() else { continue }
            let go = lineBuffer.withUnsafeBufferPointer { body(entry, ByteSpan($0)) }
            if !go { return }
        }
    }

    /// Writes the current entry as the line `TIME HOST PROGRAM[PID]: MESSAGE` to `lineBuffer`;
    /// false when it has no time.
    ///
    /// The line is built in a local array (the buffer's storage moved out and back): appending
    /// to a class's property from inside a closure checks exclusive access at run time on every
    /// append, which was a fifth of reading a journal.
    private func buildLine() -> Bool {
        var usec: UInt64 = 0
        guard sd_journal_get_realtime_usec(journal, &usec) >= 0 else { return false }
        var line = lineBuffer
        lineBuffer = []
        defer { lineBuffer = line }
        line.removeAll(keepingCapacity: true)
        CivilTime.appendISO8601(Timestamp(microseconds: Int64(clamping: usec)), to: &line)
        line.append(0x20)
        func token(_ names: [String], _ fallback: String) {
            for n in names where field(n, { v in for b in UnsafeBufferPointer(start: v.base, count: v.count) { line.append(b <= 0x20 || b == 0x7F ? 0x5F : b) } }) { return }
            line.append(contentsOf: fallback.utf8)
        }
        token(["_HOSTNAME"], "localhost")
        line.append(0x20)
        token(["SYSLOG_IDENTIFIER", "_COMM"], "unknown")
        var pid: [UInt8] = []
        for n in ["SYSLOG_PID", "_PID"] where field(n, { v in pid = UnsafeBufferPointer(start: v.base, count: v.count).filter { $0 >= 0x30 && $0 <= 0x39 } }) { if !pid.isEmpty { break } }
        if !pid.isEmpty { line.append(0x5B); line.append(contentsOf: pid.prefix(10)); line.append(0x5D) }
        line.append(contentsOf: ": ".utf8)
        // A message's own line breaks stay inside its line, written as rsyslog writes them to
        // auth.log (`#012`, `#015`); the runs between them are appended whole.
        _ = field("MESSAGE") { v in
            let bytes = UnsafeBufferPointer(start: v.base, count: v.count)
            var run = 0
            for (k, b) in bytes.enumerated() where b == 0x0A || b == 0x0D {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<k]))
                line.append(contentsOf: b == 0x0A ? [0x23, 0x30, 0x31, 0x32] : [0x23, 0x30, 0x31, 0x35])
                run = k + 1
            }
            line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        return true
    }

    /// Reads entries a batch at a time, for ``EventMerge`` and ``LogReader`` (``EventSteps``).
    final class Steps: EventSteps {
        let reader: JournalReader
        private(set) var isDone = false
        private let opening: ParseSummary

        init(_ reader: JournalReader, opening: ParseSummary) {
            self.reader = reader
            self.opening = opening
            reader.seek(after: nil)
        }

        var summary: ParseSummary {
            var s = opening
            s.merge(reader.summary)
            s.files = opening.files
            return s
        }

        func step(_ onEvent: (consuming LogEvent) throws -> Void) rethrows {
            guard !isDone else { return }
            if try reader.read(limit: 4096, onEvent) == 0 {
                try reader.finish(onEvent)
                isDone = true
            }
        }
    }

    /// Ends the reading (sshd connections still open are closed out).
    public func finish(_ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        try state.finish(summary: &summary, onEvent)
    }
}
