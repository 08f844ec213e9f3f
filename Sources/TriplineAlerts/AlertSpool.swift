import Foundation
import Synchronization
import TriplineCore

/// A sink's on-disk queue. Each `append` is one file (`pending/<time>-<n>.ndjson`, one alert a
/// line) written to a temporary name, synced and renamed, so a crash leaves either the whole
/// file or none of it. Delivered alerts leave the queue by deleting (or atomically rewriting)
/// their file; alerts the receiver refused for good move to `rejected/` with the reason. A lock
/// file keeps a second process off the same spool. `queued.log` remembers the ids of the last
/// alerts queued (20,000), so a restart that reads the same log lines again (the dashboard's
/// history, a batch run repeated after a crash) does not alert twice.
public final class AlertSpool: Sendable {
    /// A file of alerts in the queue.
    public struct Entry: Sendable, Equatable {
        public let file: String
        public var alerts: [Alert]
    }

    public let directory: String
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
    }

    /// How many queued ids are remembered.
    static let rememberedIDs = 20_000

    /// Opens (creating) the spool at `directory`, takes its lock and loads what is waiting.
    public init(directory: String) throws(AlertError) {
        self.directory = directory
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
        var s = State()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: pending)) ?? []).sorted()
        for name in names {
            let path = pending + "/" + name
            if name.hasPrefix(".") { try? FileManager.default.removeItem(atPath: path); continue }  // an unfinished write
            guard name.hasSuffix(".ndjson"), let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            var alerts: [Alert] = []
            for line in text.split(separator: "\n") where !line.isEmpty {
                if let a = try? Alert.fromSpoolLine(String(line)) { alerts.append(a) } else { s.unreadable += 1 }
            }
            if alerts.isEmpty { try? FileManager.default.removeItem(atPath: path) } else { s.entries.append(Entry(file: path, alerts: alerts)) }
        }
        s.rejectedCount = ((try? FileManager.default.contentsOfDirectory(atPath: rejected)) ?? []).filter { $0.hasSuffix(".ndjson") }.count
        if let text = try? String(contentsOfFile: directory + "/queued.log", encoding: .utf8) {
            s.queuedOrder = text.split(separator: "\n").suffix(Self.rememberedIDs).map(String.init)
            s.queued = Set(s.queuedOrder)
        }
        for e in s.entries { for a in e.alerts where s.queued.insert(a.id).inserted { s.queuedOrder.append(a.id) } }
        state = Mutex(s)
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
    public var pendingCount: Int { state.withLock { $0.entries.reduce(0) { $0 + $1.alerts.count } } }
    /// Files in `rejected/`.
    public var rejectedCount: Int { state.withLock { $0.rejectedCount } }
    /// Lines found unreadable when the spool was opened (left in place).
    public var unreadableCount: Int { state.withLock { $0.unreadable } }

    /// Queues `alerts` durably; alerts already waiting (same id) are not queued twice, so a run
    /// repeated after a crash does not double them. Returns how many were queued.
    @discardableResult
    public func append(_ alerts: [Alert]) throws(AlertError) -> Int {
        let (fresh, path) = state.withLock { s -> ([Alert], String) in
            var seen = Set<String>()
            let fresh = alerts.filter { !s.queued.contains($0.id) && seen.insert($0.id).inserted }
            s.sequence += 1
            let micros = Int64(Date().timeIntervalSince1970 * 1_000_000)
            return (fresh, pending + "/" + String(format: "%017lld-%06d-%d.ndjson", micros, s.sequence % 1_000_000, getpid()))
        }
        guard !fresh.isEmpty else { return 0 }
        try write(fresh.flatMap(\.spoolLine), to: path)
        let compact: [String]? = state.withLock { s in
            s.entries.append(Entry(file: path, alerts: fresh))
            for a in fresh where s.queued.insert(a.id).inserted { s.queuedOrder.append(a.id) }
            guard s.queuedOrder.count > 2 * Self.rememberedIDs else { return nil }
            let drop = s.queuedOrder.count - Self.rememberedIDs
            for id in s.queuedOrder.prefix(drop) { s.queued.remove(id) }
            s.queuedOrder.removeFirst(drop)
            return s.queuedOrder
        }
        // Remembered after the alerts are safely queued: a crash in between only means the
        // pending file's ids are remembered from the file itself at the next start.
        if let compact {
            try write(Array((compact.joined(separator: "\n") + "\n").utf8), to: directory + "/queued.log")
        } else {
            appendLine(fresh.map(\.id).joined(separator: "\n") + "\n", to: directory + "/queued.log")
        }
        return fresh.count
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

    /// Up to `limit` alerts from the oldest file (a request never mixes files).
    public func next(limit: Int) -> (file: String, alerts: [Alert])? {
        state.withLock { s in
            guard let first = s.entries.first else { return nil }
            return (first.file, Array(first.alerts.prefix(limit)))
        }
    }

    /// Takes alerts out of the queue after delivery (or rejection): the file goes, or is
    /// rewritten with what is left.
    public func remove(ids: Set<String>, from file: String) throws(AlertError) {
        let rest: [Alert]? = state.withLock { s in
            guard let i = s.entries.firstIndex(where: { $0.file == file }) else { return nil }
            return s.entries[i].alerts.filter { !ids.contains($0.id) }
        }
        guard let rest else { return }
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
            if rest.isEmpty { s.entries.remove(at: i) } else { s.entries[i].alerts = rest }
        }
    }

    /// Moves alerts the receiver refused for good to `rejected/`, with the reason, and out of the queue.
    public func reject(_ alerts: [Alert], from file: String, reason: String) throws(AlertError) {
        var w = JSONWriter()
        w.raw("{"); w.key("rejected_at"); w.string(Timestamp(seconds: Date().timeIntervalSince1970).iso8601)
        w.raw(","); w.key("reason"); w.string(reason); w.raw("}\n")
        let name = URL(fileURLWithPath: file).lastPathComponent
        let target = rejected + "/" + name.replacingOccurrences(of: ".ndjson", with: "-\(state.withLock { $0.rejectedCount }).ndjson")
        try write(w.bytes + alerts.flatMap(\.spoolLine), to: target)
        state.withLock { $0.rejectedCount += 1 }
        try remove(ids: Set(alerts.map(\.id)), from: file)
    }

    /// Writes `bytes` to `path` atomically: a temporary file, fsync, rename, fsync of the folder.
    func write(_ bytes: [UInt8], to path: String) throws(AlertError) {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = dir + "/." + (path as NSString).lastPathComponent + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .spoolUnusable(path: directory, reason: String(cString: strerror(errno))) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + off, bytes.count - off) }
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
        syncDirectory(dir)
    }

    func syncDirectory(_ dir: String) {
        let d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if d >= 0 { fsync(d); close(d) }
    }
}
