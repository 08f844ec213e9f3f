import Foundation
import Synchronization
import TriplineCore

/// A sink's on-disk queue. Each `append` is one file (`pending/<time>-<n>.ndjson`, one alert a
/// line) written to a temporary name, synced and renamed, so a crash leaves either the whole
/// file or none of it. Delivered alerts leave the queue by deleting (or atomically rewriting)
/// their file; alerts the receiver refused for good move to `rejected/` with the reason, and so
/// do lines found unreadable at start. A lock file keeps a second process off the same spool.
/// `queued.log` remembers the ids of the last alerts queued (20,000), so a restart that reads
/// the same log lines again (the dashboard's history, a batch run repeated after a crash) does
/// not alert twice. Memory holds only file names and alert ids: a receiver down for days costs
/// disk, not memory — and at most `maxBytes` of it: beyond that the oldest waiting files are
/// dropped, their alert ids written to `dropped.log`.
public final class AlertSpool: Sendable {
    /// A file in the queue and the ids of the alerts still in it.
    struct Entry: Sendable, Equatable {
        let file: String
        var ids: [String]
        var bytes: Int64 = 0
    }

    public let directory: String
    /// Alerts per file: the sink's batch size, so a delivered batch is one file deleted (no
    /// rewriting of what is left).
    let chunkSize: Int
    /// The most the pending files may take on disk.
    public let maxBytes: Int64
    let pending: String
    let rejected: String
    let lockFD: Mutex<Int32>
    let state: Mutex<State>

    struct State {
        var entries: [Entry] = []
        var sequence = 0
        var rejectedCount = 0
        var unreadable = 0
        var queued = Set<String>()
        var queuedOrder: [String] = []
        var dropped = 0
    }

    /// How many queued ids are remembered.
    static let rememberedIDs = 20_000

    /// Opens (creating) the spool at `directory`, takes its lock and finds what is waiting.
    public init(directory: String, chunkSize: Int = 100, maxBytes: Int64 = 256 << 20) throws(AlertError) {
        self.directory = directory
        self.chunkSize = max(1, chunkSize)
        self.maxBytes = max(1, maxBytes)
        pending = directory + "/pending"
        rejected = directory + "/rejected"
        do {
            try FileManager.default.createDirectory(atPath: pending, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: rejected, withIntermediateDirectories: true)
        } catch {
            throw .spoolUnusable(path: directory, reason: (error as NSError).localizedDescription)
        }
        let fd = open(directory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .spoolUnusable(path: directory, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .spoolBusy(path: directory)
        }
        lockFD = Mutex(fd)
        state = Mutex(State())
        var s = State()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: pending)) ?? []).sorted()
        for name in names {
            let path = pending + "/" + name
            if name.hasPrefix(".") { try? FileManager.default.removeItem(atPath: path); continue }  // an unfinished write
            guard name.hasSuffix(".ndjson") else { continue }
            let (alerts, bad) = Self.read(path)
            if !bad.isEmpty {
                // Keep what cannot be read where a person can look at it, and the rest queued.
                s.unreadable += bad.count
                let note = Array("{\"reason\":\"unreadable in the spool\"}\n".utf8)
                try? write(note + Array(bad.joined(separator: "\n").utf8) + [0x0A], to: rejected + "/" + name.replacingOccurrences(of: ".ndjson", with: "-unreadable.ndjson"))
                s.rejectedCount += 1
                if alerts.isEmpty { unlink(path) } else { try? write(alerts.flatMap(\.spoolLine), to: path) }
            }
            if alerts.isEmpty { try? FileManager.default.removeItem(atPath: path) } else {
                s.entries.append(Entry(file: path, ids: alerts.map(\.id), bytes: Self.size(path)))
            }
        }
        s.rejectedCount = ((try? FileManager.default.contentsOfDirectory(atPath: rejected)) ?? []).filter { $0.hasSuffix(".ndjson") }.count
        if let text = try? String(contentsOfFile: directory + "/queued.log", encoding: .utf8) {
            s.queuedOrder = text.split(separator: "\n").suffix(Self.rememberedIDs).map(String.init)
            s.queued = Set(s.queuedOrder)
        }
        for e in s.entries { for id in e.ids where s.queued.insert(id).inserted { s.queuedOrder.append(id) } }
        let loaded = s
        state.withLock { $0 = loaded }
    }

    deinit { release() }

    /// Lets another process have the spool (what is queued stays on disk).
    public func release() {
        lockFD.withLock { fd in
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    /// Alerts waiting.
    public var pendingCount: Int { state.withLock { $0.entries.reduce(0) { $0 + $1.ids.count } } }
    /// Files in `rejected/`.
    public var rejectedCount: Int { state.withLock { $0.rejectedCount } }
    /// Lines found unreadable when the spool was opened (moved to `rejected/`).
    public var unreadableCount: Int { state.withLock { $0.unreadable } }
    /// Alerts dropped since the spool was opened because it was over `maxBytes`.
    public var droppedCount: Int { state.withLock { $0.dropped } }

    static func size(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// The alerts in a spool file, and the lines that are not alerts.
    static func read(_ path: String) -> (alerts: [Alert], unreadable: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], []) }
        var alerts: [Alert] = [], bad: [String] = []
        // Line by line from bytes: one damaged line (invalid UTF-8, a torn write) spoils only itself.
        for raw in data.split(separator: 0x0A) where !raw.isEmpty {
            let line = String(decoding: raw, as: UTF8.self)
            if let a = try? Alert.fromSpoolLine(line) { alerts.append(a) } else { bad.append(line) }
        }
        return (alerts, bad)
    }

    /// Queues `alerts` durably; alerts queued before (same id, remembered in `queued.log`) are
    /// not queued again, so a run repeated after a crash does not double them. Returns how many
    /// were queued.
    @discardableResult
    public func append(_ alerts: [Alert]) throws(AlertError) -> Int {
        let fresh = state.withLock { s -> [Alert] in
            var seen = Set<String>()
            return alerts.filter { !s.queued.contains($0.id) && seen.insert($0.id).inserted }
        }
        guard !fresh.isEmpty else { return 0 }
        var written: [Entry] = []
        for start in stride(from: 0, to: fresh.count, by: chunkSize) {
            let chunk = fresh[start..<min(fresh.count, start + chunkSize)]
            let path = state.withLock { s -> String in
                s.sequence += 1
                let micros = Int64(Date().timeIntervalSince1970 * 1_000_000)
                return pending + "/" + String(format: "%017lld-%06d-%d.ndjson", micros, s.sequence % 1_000_000, getpid())
            }
            let bytes = chunk.flatMap(\.spoolLine)
            try write(bytes, to: path, syncFolder: start + chunkSize >= fresh.count)
            written.append(Entry(file: path, ids: chunk.map(\.id), bytes: Int64(bytes.count)))
        }
        let compact: [String]? = state.withLock { s in
            s.entries.append(contentsOf: written)
            for a in fresh where s.queued.insert(a.id).inserted { s.queuedOrder.append(a.id) }
            guard s.queuedOrder.count > 2 * Self.rememberedIDs else { return nil }
            let drop = s.queuedOrder.count - Self.rememberedIDs
            for id in s.queuedOrder.prefix(drop) { s.queued.remove(id) }
            s.queuedOrder.removeFirst(drop)
            return s.queuedOrder
        }
        dropOldest(keeping: Set(written.map(\.file)))
        // Remembered after the alerts are safely queued: a crash in between only means the
        // pending file's ids are remembered from the file itself at the next start.
        if let compact {
            try write(Array((compact.joined(separator: "\n") + "\n").utf8), to: directory + "/queued.log")
        } else {
            appendLine(fresh.map(\.id).joined(separator: "\n") + "\n", to: directory + "/queued.log")
        }
        return fresh.count
    }

    /// Over `maxBytes`: deletes the oldest waiting files (never those in `keeping`, just written)
    /// and writes their alert ids to `dropped.log`. A receiver down for weeks costs the oldest
    /// alerts, not the disk.
    func dropOldest(keeping: Set<String>) {
        let victims = state.withLock { s -> [Entry] in
            var total = s.entries.reduce(0) { $0 + $1.bytes }
            guard total > maxBytes else { return [] }
            var out: [Entry] = []
            while total > maxBytes, let i = s.entries.firstIndex(where: { !keeping.contains($0.file) }) {
                let e = s.entries.remove(at: i)
                total -= e.bytes
                out.append(e)
            }
            s.dropped += out.reduce(0) { $0 + $1.ids.count }
            return out
        }
        guard !victims.isEmpty else { return }
        let when = Timestamp(seconds: Date().timeIntervalSince1970).iso8601
        let limitMB = String(format: "%g", Double(maxBytes) / 1_048_576)
        var note = ""
        for e in victims {
            unlink(e.file)
            for id in e.ids { note += "\(when) \(id) dropped: the spool was over \(limitMB) MB\n" }
        }
        syncDirectory(pending)
        appendLine(note, to: directory + "/dropped.log")
    }

    /// Up to `limit` alerts from the oldest file (a request never mixes files).
    public func next(limit: Int) -> (file: String, alerts: [Alert])? {
        while let first = state.withLock({ $0.entries.first }) {
            let wanted = Set(first.ids)
            let alerts = Self.read(first.file).alerts.filter { wanted.contains($0.id) }
            if !alerts.isEmpty { return (first.file, Array(alerts.prefix(limit))) }
            // The file vanished or holds none of its alerts any more: forget it.
            state.withLock { s in s.entries.removeAll { $0.file == first.file } }
        }
        return nil
    }

    /// Takes alerts out of the queue after delivery (or rejection): the file goes, or is
    /// rewritten with what is left.
    public func remove(ids: Set<String>, from file: String) throws(AlertError) {
        guard state.withLock({ s in s.entries.contains { $0.file == file } }) else { return }
        let rest = Self.read(file).alerts.filter { !ids.contains($0.id) }
        if rest.isEmpty {
            if unlink(file) != 0 && errno != ENOENT {
                throw .spoolUnusable(path: directory, reason: "cannot remove a delivered file: \(String(cString: strerror(errno)))")
            }
            syncDirectory(pending)
        } else {
            try write(rest.flatMap(\.spoolLine), to: file)
        }
        state.withLock { s in
            guard let i = s.entries.firstIndex(where: { $0.file == file }) else { return }
            if rest.isEmpty { s.entries.remove(at: i) } else { s.entries[i].ids = rest.map(\.id) }
        }
    }

    /// Moves alerts the receiver refused for good to `rejected/`, with the reason, and out of the queue.
    public func reject(_ alerts: [Alert], from file: String, reason: String) throws(AlertError) {
        var w = JSONWriter()
        w.raw("{"); w.key("rejected_at"); w.string(Timestamp(seconds: Date().timeIntervalSince1970).iso8601)
        w.raw(","); w.key("reason"); w.string(reason); w.raw("}\n")
        let name = URL(fileURLWithPath: file).lastPathComponent
        let n = state.withLock { s -> Int in s.rejectedCount += 1; return s.rejectedCount }
        try write(w.bytes + alerts.flatMap(\.spoolLine), to: rejected + "/" + name.replacingOccurrences(of: ".ndjson", with: "-\(n).ndjson"))
        try remove(ids: Set(alerts.map(\.id)), from: file)
    }

    /// Writes `bytes` to `path` atomically: a temporary file, fsync, rename, fsync of the folder.
    func write(_ bytes: [UInt8], to path: String, syncFolder: Bool = true) throws(AlertError) {
        let dir = PathName.parent(path)
        let tmp = dir + "/." + PathName.lastComponent(path) + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .spoolUnusable(path: directory, reason: String(cString: strerror(errno))) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { buf in Foundation.write(fd, buf.baseAddress.map { $0 + off }, bytes.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd); unlink(tmp)
                throw .spoolUnusable(path: directory, reason: reason)
            }
            off += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw .spoolUnusable(path: directory, reason: reason)
        }
        if syncFolder { syncDirectory(dir) }
    }

    /// Appends to a small log file (best effort: the pending files are the record that matters).
    func appendLine(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
    }

    func syncDirectory(_ dir: String) {
        let d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if d >= 0 { fsync(d); close(d) }
    }
}
