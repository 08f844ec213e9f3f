import Foundation

/// Per-file parsing state: the format, the syslog parser's context, the CSV header.
struct FileState {
    var format: LogFormat?
    let file: String
    var syslog: SyslogParser
    var mapper: StructuredRecordMapper
    var csvHeader: [String]?
    var csvPending: [UInt8] = []
    var csvPendingLine = 0
    /// Lines in ``csvPending``.
    var csvPendingLines = 0
    /// Lines after an abandoned record are being read again (see ``abandonCSVRecord``).
    var csvRefeeding = false

    init(options: ParseOptions, format: LogFormat?, file: String) {
        self.format = format
        self.file = file
        var options = options
        options.defaultHost = options.folderHosts[file]
        self.syslog = SyslogParser(options: options)
        self.mapper = StructuredRecordMapper(options: options)
    }

    mutating func line(_ raw: ByteSpan, number: Int, summary: inout ParseSummary, _ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        var s = raw
        if s.count > 0, s[s.count - 1] == 0x0D { s = s.slice(0, s.count - 1) }
        if number == 1, s.hasPrefix("\u{FEFF}") { s = s.suffix(from: 3) }
        if !csvPending.isEmpty, !csvRefeeding {
            // Continuation of a quoted CSV field.
            csvPending.append(0x0A)
            csvPending.append(contentsOf: UnsafeBufferPointer(start: s.base, count: s.count))
            csvPendingLines += 1
            if csvPending.count > FileState.maxCSVRecordBytes || csvPendingLines > FileState.maxCSVRecordLines {
                try abandonCSVRecord(summary: &summary, onEvent)
                return
            }
            // Only a quote can close the field: a line without one is not looked at again (the
            // record is read whole once more only when it may have ended).
            guard s.firstIndex(of: UInt8(ascii: "\"")) != nil else { return }
            let pending = csvPending
            let done = try pending.withUnsafeBufferPointer { buf -> Bool in
                guard CSVRow.fields(ByteSpan(buf)) != nil else { return false }
                try csvRecord(ByteSpan(buf), number: csvPendingLine, summary: &summary, onEvent)
                return true
            }
            if done { csvPending = []; csvPendingLines = 0 }
            return
        }
        summary.linesRead += 1
        if s.trimmed().count == 0 {
            summary.skip(.blank, file: file, line: number, detail: nil)
            return
        }
        if s.firstIndex(of: 0) != nil {
            summary.skip(.binary, file: file, line: number, detail: nil)
            return
        }
        if !s.isValidUTF8 { summary.repairedUTF8 += 1 }
        switch format ?? .syslog {
        case .syslog:
            try emit(syslog.parse(s, file: file, line: number), number: number, summary: &summary, onEvent: onEvent)
        case .ndjson:
            do {
                guard let members = try JSONParser.parseObjectMembers(s) else {
                    summary.skip(.notAnObject, file: file, line: number, detail: nil)
                    return
                }
                try emit(mapper.event(members: members, file: file, line: number), number: number, summary: &summary, onEvent: onEvent)
            } catch {
                summary.skip(.invalidJSON, file: file, line: number, detail: "\(error)")
            }
        case .csv:
            if CSVRow.fields(s) == nil {
                if csvRefeeding {
                    // Lines read again after an unterminated quote are records of one line each.
                    summary.skip(.csvUnterminatedQuote, file: file, line: number, detail: nil)
                    return
                }
                csvPending = Array(UnsafeBufferPointer(start: s.base, count: s.count))
                csvPendingLine = number
                csvPendingLines = 1
                return
            }
            try csvRecord(s, number: number, summary: &summary, onEvent)
        case .json:
            break // handled whole in jsonDocument
        }
    }

    /// `run` empty lines in a row, numbered from `first`: blank lines, counted at once, unless
    /// a quoted CSV field is open (an empty line is then part of it, and each is taken in turn
    /// until it closes or is abandoned).
    mutating func blankLines(_ run: Int, from first: Int, summary: inout ParseSummary, _ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        var i = 0
        while i < run, !csvPending.isEmpty {
            try line(ByteSpan(base: ByteSpan.emptyBase, count: 0), number: first + i, summary: &summary, onEvent)
            i += 1
        }
        guard i < run else { return }
        summary.linesRead += run - i
        summary.skipped[.blank, default: 0] += run - i
    }

    private mutating func emit(_ r: consuming LineResult, number: Int, summary: inout ParseSummary, onEvent: (consuming LogEvent) throws -> Void) rethrows {
        // Consumed, so that the event moves on rather than being copied (each copy retains and
        // releases every string of the event).
        switch consume r {
        case .event(let e):
            summary.events += 1
            try onEvent(e)
        case .skipped(let reason, let detail):
            summary.skip(reason, file: file, line: number, detail: detail)
        }
    }

    private mutating func csvRecord(_ s: ByteSpan, number: Int, summary: inout ParseSummary, _ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        guard let fields = CSVRow.fields(s) else { return }
        guard let header = csvHeader else {
            csvHeader = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            summary.skip(.csvHeader, file: file, line: number, detail: nil)
            return
        }
        guard fields.count == header.count else {
            summary.skip(.csvFieldCount, file: file, line: number, detail: "\(fields.count) fields, header has \(header.count)")
            return
        }
        var record: [(String, JSONValue)] = []
        record.reserveCapacity(header.count)
        for (k, v) in zip(header, fields) where !k.isEmpty {
            record.append((k, v.isEmpty ? .null : .string(v)))
        }
        try emit(mapper.event(members: record, file: file, line: number), number: number, summary: &summary, onEvent: onEvent)
    }

    mutating func finish(summary: inout ParseSummary, _ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        if !csvPending.isEmpty { try abandonCSVRecord(summary: &summary, onEvent) }
    }

    /// A quoted CSV field spans at most this many lines…
    static let maxCSVRecordLines = 64
    /// …and this many bytes; past either (or at the end of the file), its opening quote is an
    /// error on its line, and the lines after it are read again as records of their own.
    static let maxCSVRecordBytes = 64 << 10

    /// The pending record's quote is not closed within the bounds: its first line is counted
    /// as skipped, and the lines after it are read again, each as a record of one line (so a
    /// line costs at most two readings, whatever quotes an attacker sends).
    private mutating func abandonCSVRecord(summary: inout ParseSummary, _ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        let pending = csvPending
        let first = csvPendingLine
        csvPending = []
        csvPendingLines = 0
        // (Its first line was counted as read when it opened the record.)
        summary.skip(.csvUnterminatedQuote, file: file, line: first, detail: nil)
        guard let cut = pending.firstIndex(of: 0x0A) else { return }
        csvRefeeding = true
        defer { csvRefeeding = false }
        try pending.withUnsafeBufferPointer { buf in
            var start = cut + 1
            var number = first + 1
            while start <= buf.count {
                let end = buf[start...].firstIndex(of: 0x0A) ?? buf.count
                try line(ByteSpan(UnsafeBufferPointer(rebasing: buf[start..<end])), number: number, summary: &summary, onEvent)
                start = end + 1
                number += 1
            }
        }
    }

    /// A whole JSON document: an array of records, or an object whose first array holds them.
    /// Each element is parsed on its own, so one bad record costs only itself.
    mutating func jsonDocument(_ s: ByteSpan, summary: inout ParseSummary, _ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        var i = 0
        var line = 1
        func advance(to j: Int) {
            while i < j {
                if s[i] == 0x0A { line += 1 }
                i += 1
            }
        }
        func skipWS() {
            while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x0D || s[i] == 0x09 {
                if s[i] == 0x0A { line += 1 }
                i += 1
            }
        }
        skipWS()
        if s.matches("\u{FEFF}", at: i) { i += 3; skipWS() }
        if s.at(i) == UInt8(ascii: "{") {
            // {"logs": [...]}: records are in the first array.
            guard let open = s.firstIndex(of: UInt8(ascii: "["), from: i) else {
                summary.linesRead += 1
                if case .object(let o)? = try? JSONParser.parse(s) {
                    try emit(mapper.event(from: o, file: file, line: line), number: line, summary: &summary, onEvent: onEvent)
                } else {
                    summary.skip(.invalidJSON, file: file, line: line, detail: "not a JSON array or object")
                }
                return
            }
            advance(to: open)
        }
        guard s.at(i) == UInt8(ascii: "[") else {
            summary.linesRead += 1
            summary.skip(.invalidJSON, file: file, line: line, detail: "expected a JSON array")
            return
        }
        i += 1
        while true {
            skipWS()
            guard i < s.count else {
                summary.skip(.invalidJSON, file: file, line: line, detail: "array not closed")
                return
            }
            if s[i] == UInt8(ascii: "]") { return }
            if s[i] == UInt8(ascii: ",") { i += 1; continue }
            // Find the element's end: depth 0 at a ',' or ']' outside strings.
            let start = i
            let startLine = line
            var depth = 0
            var inString = false
            var j = i
            while j < s.count {
                let c = s[j]
                if inString {
                    if c == UInt8(ascii: "\\") { j += 2; continue }
                    if c == UInt8(ascii: "\"") { inString = false }
                } else if c == UInt8(ascii: "\"") {
                    inString = true
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                } else if c == UInt8(ascii: ","), depth == 0 {
                    break
                }
                j += 1
            }
            if j == start {
                // A stray '}' where an element should start: skip the byte (the loop must always
                // move forward, whatever the bytes are).
                summary.linesRead += 1
                summary.skip(.invalidJSON, file: file, line: startLine, detail: "unexpected '\(Character(UnicodeScalar(s[j])))' in the array")
                i = j + 1
                continue
            }
            let element = s.slice(start, j)
            advance(to: min(j, s.count))
            summary.linesRead += 1
            do {
                let v = try JSONParser.parse(element)
                guard case .object(let o) = v else {
                    summary.skip(.notAnObject, file: file, line: startLine, detail: nil)
                    continue
                }
                try emit(mapper.event(from: o, file: file, line: startLine), number: startLine, summary: &summary, onEvent: onEvent)
            } catch {
                summary.skip(.invalidJSON, file: file, line: startLine, detail: "\(error)")
            }
            if j >= s.count { return }
        }
    }
}

/// `read(2)`, named apart from ``LogReader/read(path:_:)``.
@inline(__always) func systemRead(_ fd: Int32, _ buf: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buf, n)
    #else
    return Darwin.read(fd, buf, n)
    #endif
}
