import Foundation
import TriplineCore
#if canImport(Glibc)
import Glibc
#endif

/// One `tripline batch` run: reads only what is new in the log folder since the last run (new
/// files, and bytes appended to known ones, found by device and inode so that rotation is
/// handled), runs the detector over it, and writes a report set — anomalies as JSON and CSV and a
/// short summary — into `OUTPUT/runs/<run time>/`, with `OUTPUT/latest` pointing at it.
///
/// Crash safety: the run's files, including the new read positions, are written into a
/// `.partial` folder that is renamed into place in one step; `OUTPUT/state.json` is only a copy.
/// A run killed before the rename left nothing and is done again; one killed after it is
/// recognised at the next start. So nothing is skipped and nothing is reported twice.
public struct BatchRunner: Sendable {
    public let logDirectory: String
    public let outputDirectory: String
    /// The model runs detect with (a batch on `--interval` swaps in a retrained one).
    public var model: TriplineModel?
    public var config: DetectionConfig?
    public var options = ParseOptions()
    /// Up to this many new bytes over several files, their events are merged by time before
    /// detection (about 400 bytes of memory per event); beyond it, or with a single file, files
    /// are streamed one after the other (oldest first) and memory stays flat.
    public var mergeLimitBytes: Int64 = 64 << 20

    /// Keep only this many newest run folders (nil keeps them all); older ones are deleted
    /// after each run is recorded.
    public var keepRuns: Int?

    /// Journals to read besides the log folder's files (``LogReader/systemJournal`` for the
    /// system's, or journal folders); the log folder itself when it is a journal folder. Each
    /// run reads the entries written since the previous run's last one (its cursor is kept in
    /// the state).
    public var journals: [String] = []

    public init(logDirectory: String, outputDirectory: String, model: TriplineModel?, config: DetectionConfig?) {
        self.logDirectory = logDirectory
        self.outputDirectory = outputDirectory
        self.model = model
        self.config = config
    }

    /// A failure that stops the run, saying what to do.
    public struct BatchError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// What one file contributed to a run.
    public struct FileRead: Sendable {
        public var path: String
        public var firstLine: Int
        public var lastLine: Int
        public var bytes: Int64
        /// Why it was read from its start though it was known (rotated in place, truncated).
        public var restarted: String?
    }

    /// What a run did.
    public struct Report: Sendable {
        public var runID: String
        public var directory: String
        public var files: [FileRead] = []
        public var eventsAnalyzed = 0
        public var linesRead = 0
        public var linesSkipped = 0
        public var anomalies: [Anomaly] = []
        /// Files that could not be read, with why.
        public var problems: [String] = []
        public var seconds = 0.0
        /// Old run folders deleted after this run (`keepRuns`).
        public var pruned = 0
    }

    var runsDirectory: String { outputDirectory + "/runs" }
    var statePath: String { outputDirectory + "/state.json" }

    /// Files a run keeps open from planning to reading; beyond, files are opened again by name.
    public var maxOpenPlans = 256
    /// Called between planning and reading (tests rotate files there).
    var afterPlanning: (@Sendable () -> Void)?

    /// The state of the last completed run (recovering one whose copy in `state.json` was not
    /// written because the process died), and stale partial runs removed.
    public func currentState() throws -> BatchState {
        let fm = FileManager.default
        var state = try BatchState.load(statePath) ?? BatchState()
        let entries = (try? fm.contentsOfDirectory(atPath: runsDirectory)) ?? []
        for e in entries where e.hasSuffix(".partial") { try? fm.removeItem(atPath: runsDirectory + "/" + e) }
        if let newest = entries.filter({ !$0.hasSuffix(".partial") }).sorted().last, newest > (state.runID ?? ""),
           let recovered = try BatchState.load(runsDirectory + "/" + newest + "/state.json") {
            state = recovered
        }
        return state
    }

    /// Runs once; throws only when the output cannot be written (unreadable log files are
    /// reported in `problems`). `beforeCommit` sees the run's anomalies before it is recorded
    /// (alerts are queued there): when it throws, the run is not recorded and is done again
    /// next time.
    public func runOnce(now: Date = Date(), beforeCommit: (([Anomaly]) throws -> Void)? = nil) throws -> Report {
        let started = Date()
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: runsDirectory, withIntermediateDirectories: true)
        } catch {
            throw BatchError(description: "cannot create \(runsDirectory): \((error as NSError).localizedDescription)")
        }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: logDirectory, isDirectory: &isDir), isDir.boolValue else {
            throw BatchError(description: "the log folder \(logDirectory) does not exist (set --log-dir or LOG_DIR)")
        }
        let folderIsJournal = JournalReader.isJournalDirectory(logDirectory)
        let journalSources = (folderIsJournal ? [logDirectory] : []) + journals.filter { $0 != logDirectory }
        let old = try currentState()
        var runID = BatchRunner.runID(now)
        var n = 2
        while fm.fileExists(atPath: runsDirectory + "/" + runID) || runID <= (old.runID ?? "") {
            runID = BatchRunner.runID(now) + "-\(n)"
            n += 1
        }
        var report = Report(runID: runID, directory: runsDirectory + "/" + runID)
        var next = BatchState()
        next.runID = runID

        // What to read in each file.
        // Each plan keeps its file open, so the bytes read are those of the file planned even if
        // logrotate renames or replaces it before they are read (past `maxOpenPlans` files, a
        // file is opened again by name and read only if it is still the same file).
        struct Plan {
            var path: String; var from: Int64; var to: Int64; var firstLine: Int; var header: [UInt8]; var mtime: Int; var restarted: String?
            var fd: Int32; var device: UInt64; var inode: UInt64; var mark: Int; var old: BatchState.Mark?
            var compression: Decompressor.Format? = nil
        }
        var plans: [Plan] = []
        defer { for p in plans where p.fd >= 0 { close(p.fd) } }
        let outputReal = AllowedRoots.resolve(outputDirectory)
        let (found, hostFolders, _) = folderIsJournal ? ([], [:], []) : LogReader.expandFindingHosts([logDirectory])
        for path in found {
            if let o = outputReal, let r = AllowedRoots.resolve(path), r.hasPrefix(o + "/") { continue }
            var st = stat()
            guard PathName.stat(path, &st) == 0 else { report.problems.append("\(path): \(String(cString: strerror(errno)))"); continue }
            guard (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let fd = PathName.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { report.problems.append("\(path): \(String(cString: strerror(errno)))"); continue }
            var keepOpen = false
            defer { if !keepOpen { close(fd) } }
            // The file as opened (it may have been replaced since the stat).
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let size = Int64(st.st_size)
            let head = BatchRunner.bytes(fd, from: 0, count: 4096)
            let fingerprint = BatchRunner.hex(head.prefix(64))
            var from: Int64 = 0, lines = 0
            var restarted: String?
            let oldMark = old.mark(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if let kind = head.withUnsafeBufferPointer({ Decompressor.Format.detect(ByteSpan($0)) }) {
                // Compressed history is complete: read once, only what was not read before it
                // was compressed (logrotate compresses a file batch has read as auth.log.1).
                if var m = oldMark, m.compressedSize == size, m.fingerprint == fingerprint {
                    m.path = path
                    next.files.append(m)
                    continue
                }
                let contents: Decompressor.Contents
                do { contents = try Decompressor.contents(of: fd, format: kind) } catch {
                    report.problems.append("\(path): \(error.reason); read at the next run")
                    if let m = oldMark { next.files.append(m) }
                    continue
                }
                if let m = old.files.first(where: { $0.compression == nil && $0.sameContent(head: contents.head) && $0.offset <= contents.size }) {
                    from = m.offset
                    lines = m.lines
                }
                var header: [UInt8] = []
                if from > 0, LogFormat.detect(firstBytes: contents.head.withUnsafeBufferPointer { ByteSpan($0) }) == .csv,
                   let nl = contents.head.firstIndex(of: 0x0A) {
                    header = Array(contents.head[...nl])
                }
                let mark = BatchState.Mark(path: path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: contents.size,
                                           lines: contents.lines, fingerprint: fingerprint,
                                           headHash: BatchState.hash(contents.head), headLength: contents.head.count,
                                           compression: kind.rawValue, compressedSize: size)
                if contents.size > from {
                    keepOpen = plans.count < maxOpenPlans
                    plans.append(Plan(path: path, from: from, to: contents.size, firstLine: lines + 1, header: header, mtime: Int(st.st_mtim.tv_sec),
                                      restarted: nil, fd: keepOpen ? fd : -1, device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                                      mark: next.files.count, old: oldMark, compression: kind))
                }
                next.files.append(mark)
                continue
            }
            if let m = oldMark {
                if size < m.offset {
                    restarted = "truncated"
                } else if !fingerprint.hasPrefix(m.fingerprint) && !m.fingerprint.hasPrefix(fingerprint) {
                    restarted = "overwritten"
                } else {
                    from = m.offset
                    lines = m.lines
                }
            }
            let end = BatchRunner.lastLineEnd(fd, from: from, size: size)
            var mark = BatchState.Mark(path: path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), offset: from, lines: lines,
                                       fingerprint: fingerprint, headHash: BatchState.hash(head), headLength: head.count)
            if end > from {
                var header: [UInt8] = []
                if from > 0, LogFormat.detect(firstBytes: head.withUnsafeBufferPointer { ByteSpan($0) }) == .csv,
                   let nl = head.firstIndex(of: 0x0A) {
                    header = Array(head[...nl])
                }
                keepOpen = plans.count < maxOpenPlans
                plans.append(Plan(path: path, from: from, to: end, firstLine: lines + 1, header: header, mtime: Int(st.st_mtim.tv_sec),
                                  restarted: restarted, fd: keepOpen ? fd : -1, device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                                  mark: next.files.count, old: oldMark))
                mark.offset = end
                mark.lines = lines + countNewlines(fd, from: from, to: end)
            }
            next.files.append(mark)
        }

        afterPlanning?()
        // A plan whose file was closed is read only if its name still opens the same file; if
        // not, it waits for the next run (its mark goes back to what it was).
        for i in plans.indices where plans[i].fd < 0 {
            let fd = PathName.open(plans[i].path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            var st = stat()
            if fd >= 0, fstat(fd, &st) == 0, UInt64(st.st_dev) == plans[i].device, UInt64(st.st_ino) == plans[i].inode {
                plans[i].fd = fd
                continue
            }
            if fd >= 0 { close(fd) }
            report.problems.append("\(plans[i].path): replaced between planning and reading (rotated?); read at the next run")
            if let m = plans[i].old { next.files[plans[i].mark] = m } else { next.files[plans[i].mark].offset = 0; next.files[plans[i].mark].lines = 0 }
            plans[i].to = plans[i].from
        }
        plans.removeAll { $0.to <= $0.from }

        // Detection over the new lines (which reads no message text: see ParseOptions).
        var options = self.options
        options.keepsMessages = false
        let reader = LogReader(options: options).withFolderHosts(found, found: hostFolders)
        var detector = Detector(model: model, config: config, compiled: model?.forest.map(CompiledForest.init))
        var summary = ParseSummary()
        let total = plans.reduce(Int64(0)) { $0 + ($1.to - $1.from) }
        // Events a little out of order (hosts, clocks apart) are put in place before detection.
        var window = ReorderWindow(seconds: options.reorderSeconds)
        // The journals first: what was written to them since the last run, streamed.
        var journalMarks: [BatchState.JournalMark] = []
        for source in journalSources {
            let previous = old.cursor(of: source)
            do {
                let reader = try BatchRunner.openJournal(source, options: options)
                if !reader.seek(after: previous), previous != nil {
                    report.problems.append("\(source): the entry last read is no longer in the journal (rotated away); read from the oldest entry there is")
                }
                let n = reader.read { window.push($0) { detector.process($0) } }
                reader.finish { window.push($0) { detector.process($0) } }
                summary.merge(reader.summary)
                if let c = n > 0 ? reader.cursor : previous { journalMarks.append(.init(source: source, cursor: c)) }
                report.files.append(FileRead(path: source, firstLine: 0, lastLine: n, bytes: 0, restarted: nil))
            } catch {
                report.problems.append("\(source): \(error.description)")
                if let previous { journalMarks.append(.init(source: source, cursor: previous)) }
            }
        }
        next.journals = journalMarks.isEmpty ? nil : journalMarks
        if plans.count > 1 && total <= mergeLimitBytes {
            var events: [LogEvent] = []
            for p in plans {
                summary.merge(BatchRunner.read(p.fd, p.compression, p.path, p.from, p.to, p.firstLine, p.header, reader) { events.append($0) })
            }
            events.sort { $0.timestamp < $1.timestamp }
            for e in events { window.push(e) { detector.process($0) } }
        } else {
            for p in plans.sorted(by: { ($0.mtime, $0.path) < ($1.mtime, $1.path) }) {
                summary.merge(BatchRunner.read(p.fd, p.compression, p.path, p.from, p.to, p.firstLine, p.header, reader) { window.push($0) { detector.process($0) } })
            }
        }
        for (path, why) in summary.unreadable { report.problems.append("\(path): \(why)") }
        report.files += plans.map { p in
            FileRead(path: p.path, firstLine: p.firstLine, lastLine: next.files.first { $0.path == p.path }?.lines ?? 0,
                     bytes: p.to - p.from, restarted: p.restarted)
        }
        window.flush { detector.process($0) }
        summary.lateEvents += window.late
        report.anomalies = detector.finish()
        report.eventsAnalyzed = detector.eventsProcessed
        report.linesRead = summary.linesRead
        report.linesSkipped = summary.problemLines
        report.seconds = Date().timeIntervalSince(started)
        if let beforeCommit {
            do { try beforeCommit(report.anomalies) } catch {
                throw BatchError(description: "run not recorded (it will be done again): \(error)")
            }
        }
        try commit(report, state: next, now: now)
        if let keep = keepRuns { report.pruned = prune(keeping: keep) }
        return report
    }

    /// Deletes the oldest run folders beyond the newest `keep` (at least the newest stays: it
    /// holds the state a crash recovers from). Returns how many went.
    func prune(keeping keep: Int) -> Int {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runsDirectory)) ?? [])
            .filter { !$0.hasSuffix(".partial") && !$0.hasPrefix(".") }.sorted()
        guard names.count > max(1, keep) else { return 0 }
        var gone = 0
        for name in names.prefix(names.count - max(1, keep)) {
            if (try? FileManager.default.removeItem(atPath: runsDirectory + "/" + name)) != nil { gone += 1 }
        }
        return gone
    }

    /// Writes the report set and the state into a partial folder, renames it into place, then
    /// refreshes `state.json` and `latest`.
    func commit(_ r: Report, state: BatchState, now: Date) throws {
        let fm = FileManager.default
        let partial = r.directory + ".partial"
        do {
            try? fm.removeItem(atPath: partial)
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            // Reports name attackers and victims: owner and group only (0640, or less by the umask).
            let mode = AtomicFile.reportMode
            try AtomicFile.write(BatchRunner.json(r, logDirectory: logDirectory, model: model), to: partial + "/anomalies.json", mode: mode)
            var csv = AnomalyFormats.csvHeader.joined(separator: ",") + "\r\n"
            for a in r.anomalies { csv += AnomalyFormats.csvRow(a) + "\r\n" }
            try AtomicFile.write(Array(csv.utf8), to: partial + "/anomalies.csv", mode: mode)
            try AtomicFile.write(Array(BatchRunner.summary(r, logDirectory: logDirectory, model: model).utf8), to: partial + "/summary.txt", mode: mode)
            let stateData = try state.encoded()
            try AtomicFile.write(stateData, to: partial + "/state.json", mode: mode)
            guard rename(partial, r.directory) == 0 else {
                throw BatchError(description: "cannot rename \(partial) to \(r.directory): \(String(cString: strerror(errno)))")
            }
            BatchRunner.sync(runsDirectory)
            try AtomicFile.write(stateData, to: statePath, mode: mode)
            let link = outputDirectory + "/latest"
            let tmp = link + ".tmp"
            unlink(tmp)
            guard symlink("runs/" + r.runID, tmp) == 0, rename(tmp, link) == 0 else {
                throw BatchError(description: "cannot point \(link) at the new run: \(String(cString: strerror(errno)))")
            }
        } catch let e as BatchError {
            throw e
        } catch {
            throw BatchError(description: "cannot write the reports in \(outputDirectory): \(error is AtomicFile.Failure ? "\(error)" : (error as NSError).localizedDescription)")
        }
    }

    // MARK: - Reports

    static func json(_ r: Report, logDirectory: String, model: TriplineModel?) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\n  "); w.key("run_id"); w.string(r.runID)
        w.raw(",\n  "); w.key("log_dir"); w.string(logDirectory)
        w.raw(",\n  "); w.key("model"); if let m = model { w.raw("{"); w.key("created_at"); w.string(m.createdAt); w.raw(","); w.key("trained_events"); w.int(m.training.events); w.raw("}") } else { w.raw("null") }
        w.raw(",\n  "); w.key("files"); w.raw("[")
        for (i, f) in r.files.enumerated() {
            w.raw(i == 0 ? "\n    " : ",\n    ")
            w.raw("{"); w.key("path"); w.string(f.path)
            w.raw(","); w.key("first_line"); w.int(f.firstLine)
            w.raw(","); w.key("last_line"); w.int(f.lastLine)
            w.raw(","); w.key("bytes"); w.int(f.bytes)
            w.raw(","); w.key("restarted"); w.optionalString(f.restarted)
            w.raw("}")
        }
        w.raw(r.files.isEmpty ? "]" : "\n  ]")
        w.raw(",\n  "); w.key("problems"); w.value(.array(r.problems.map { .string($0) }))
        w.raw(",\n  "); w.key("lines_read"); w.int(r.linesRead)
        w.raw(",\n  "); w.key("lines_skipped"); w.int(r.linesSkipped)
        w.raw(",\n  "); w.key("events_analyzed"); w.int(r.eventsAnalyzed)
        w.raw(",\n  "); w.key("anomalies_detected"); w.int(r.anomalies.count)
        w.raw(",\n  "); w.key("seconds"); w.double((r.seconds * 1000).rounded() / 1000)
        w.raw(",\n  "); w.key("anomalies"); w.raw("[")
        for (i, a) in r.anomalies.enumerated() {
            w.raw(i == 0 ? "\n    " : ",\n    ")
            a.writeJSON(to: &w)
        }
        w.raw(r.anomalies.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        return w.bytes
    }

    static func summary(_ r: Report, logDirectory: String, model: TriplineModel?) -> String {
        var s = "Tripline batch run \(r.runID)\n"
        s += "log folder: \(TerminalSafe.sanitize(logDirectory))\n"
        s += "model: " + (model.map { "trained \($0.createdAt) on \($0.training.events) events" } ?? "none (rules only; run tripline train)") + "\n"
        s += "read: \(r.files.count) files with new lines, \(r.linesRead) lines, \(r.eventsAnalyzed) events, \(r.linesSkipped) skipped, in \(String(format: "%.2f", r.seconds)) s\n"
        for f in r.files {
            s += "  \(TerminalSafe.sanitize(f.path)) lines \(f.firstLine)–\(f.lastLine)" + (f.restarted.map { " (read from the start: \($0))" } ?? "") + "\n"
        }
        let bySev = Severity.allCases.reversed().map { sev in "\(r.anomalies.filter { $0.severity == sev }.count) \(sev.rawValue)" }
        s += "anomalies: \(r.anomalies.count) (\(bySev.joined(separator: ", ")))\n"
        var kinds: [AnomalyKind: Int] = [:]
        for a in r.anomalies { kinds[a.kind, default: 0] += 1 }
        if !kinds.isEmpty {
            s += "by kind: " + kinds.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        for (title, names) in [("top sources", r.anomalies.compactMap { a in a.sourceIP.map { ($0, a.severity) } }),
                               ("top users", r.anomalies.compactMap { a in a.user.map { ($0, a.severity) } })] where !names.isEmpty {
            var tally = OffenderTally(capacity: names.count) // every name counted exactly
            for (name, severity) in names { tally.add(name, severity: severity) }
            let top = tally.top(5)
            s += "\(title): " + top.map { "\(TerminalSafe.sanitize($0.name)) (\($0.count), worst \($0.worst.rawValue))" }.joined(separator: ", ") + "\n"
        }
        for p in r.problems { s += "problem: \(TerminalSafe.sanitize(p))\n" }
        return s
    }

    // MARK: - Files

    /// A run's name: its UTC time, sortable and safe in file names.
    /// Opens a journal source: the system's, or a journal folder.
    static func openJournal(_ source: String, options: ParseOptions) throws(JournalReader.Failure) -> JournalReader {
        if source == LogReader.systemJournal { return try JournalReader(localSystem: options) }
        let fd = open(source, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard fd >= 0 else { throw JournalReader.Failure(description: String(cString: strerror(errno))) }
        return try JournalReader(directoryDescriptor: fd, name: source, options: options)
    }

    /// Reads one plan's bytes: a range of a plain file, or a compressed file's content from a
    /// decompressed offset to its end.
    static func read(_ fd: Int32, _ compression: Decompressor.Format?, _ path: String, _ from: Int64, _ to: Int64, _ firstLine: Int,
                     _ header: [UInt8], _ reader: LogReader, _ onEvent: (consuming LogEvent) -> Void) -> ParseSummary {
        if let kind = compression {
            return reader.read(compressed: fd, format: kind, name: path, skipping: from, firstLine: firstLine, header: header, onEvent)
        }
        return reader.read(descriptor: fd, name: path, from: from, to: to, firstLine: firstLine, header: header, onEvent)
    }

    static func runID(_ d: Date) -> String {
        String(Timestamp(seconds: d.timeIntervalSince1970).iso8601.prefix(19)).replacingOccurrences(of: ":", with: "-") + "Z"
    }

    static func bytes(_ fd: Int32, from: Int64, count: Int) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: count)
        let n = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(from)) }
        return n > 0 ? Array(b[0..<n]) : []
    }

    static func hex<C: Collection>(_ b: C) -> String where C.Element == UInt8 {
        b.map { String(format: "%02x", $0) }.joined()
    }

    /// The offset just after the last newline in `from..<size` (`from` when there is none): a
    /// last line still being written waits for the next run.
    static func lastLineEnd(_ fd: Int32, from: Int64, size: Int64) -> Int64 {
        var end = size
        let chunk: Int64 = 64 << 10
        while end > from {
            let start = max(from, end - chunk)
            let b = bytes(fd, from: start, count: Int(end - start))
            if b.isEmpty { return from }
            if let i = b.lastIndex(of: 0x0A) { return start + Int64(i) + 1 }
            end = start
        }
        return from
    }

    static func sync(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
