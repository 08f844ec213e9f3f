import Foundation

/// A source of events read a step at a time: a file (``ReadingSteps``) or a journal
/// (``JournalReader/Steps``).
protocol EventSteps: AnyObject {
    /// What the reading found so far.
    var summary: ParseSummary { get }
    /// True once the source has been read to its end (or given up).
    var isDone: Bool { get }
    /// Reads the next piece and hands out its events.
    func step(_ onEvent: (consuming LogEvent) throws -> Void) rethrows
}

/// One file's reading, a chunk at a time: each ``step(_:)`` reads the next chunk (decompressed
/// when the file is compressed) and hands out the events of the lines it completes. It is the
/// loop behind every ``LogReader`` read, and lets a merge of several files pull from each in
/// turn (``EventCursor``).
///
/// The rules: the format is detected from the first chunk (binary content is passed over
/// whole); a JSON document (an array) is collected whole, up to
/// ``LogReader/maxDocumentBytes``; corrupt or truncated compressed data ends the file with what
/// came before it, the unfinished line at the damage dropped, the file named as unreadable.
///
/// Exclusive access to `summary`, `state` and `lineNo` is not checked at run time. Each line's
/// handling reaches them from the splitter's closure, so Swift checked (and ended) an access to
/// each on every line, which was 5 % of `tripline parse`'s time. Nothing else can overlap them:
/// they are private but for reading ``summary``, written only by this class's own methods on the
/// one thread reading the file, and the consumers' closures do not read them (``summary`` is
/// read between steps: `LogReader.read(path:_:)`, `EventMerge`).
final class ReadingSteps: EventSteps {
    /// What the reading found so far.
    @exclusivity(unchecked) private(set) var summary: ParseSummary
    /// True once the file has been read to its end (or given up).
    private(set) var isDone = false

    private let path: String
    @exclusivity(unchecked) private var state: FileState
    private let next: (UnsafeMutablePointer<UInt8>, Int) -> Int
    private let capacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var lineNo: Int
    private var splitter = LineSplitter()
    private var firstChunk = true
    private var wholeFile: [UInt8]? // JSON documents are collected whole
    private var decompressor: Decompressor?
    /// Bytes the decompressor gave so far, and how many it may give (``ParseOptions/decompressionLimit``).
    private var decompressed: Int64 = 0
    private let decompressionLimit: DecompressionLimit?
    /// Set when the file is UTF-16 text with a byte-order mark: it is read as UTF-8.
    private var utf16: UTF16Decoder?

    /// `next` fills up to `cap` bytes and returns how many (0 at the end, or `-(errno) - 1` for
    /// a read error); the first line read is number `firstLine`.
    init(path: String, summary: ParseSummary, firstLine: Int, options: ParseOptions, format: LogFormat?, chunkBytes: Int,
         next: @escaping (UnsafeMutablePointer<UInt8>, Int) -> Int, onEnd: (() -> Void)? = nil) {
        self.path = path
        self.summary = summary
        self.state = FileState(options: options, format: format, file: path)
        self.decompressionLimit = options.decompressionLimit
        self.next = next
        self.capacity = chunkBytes
        self.buffer = .allocate(capacity: chunkBytes)
        self.lineNo = firstLine - 1
        self.onEnd = onEnd
    }

    /// Run once the reading is over (closes the file it reads).
    private var onEnd: (() -> Void)?

    deinit {
        buffer.deallocate()
        onEnd?()
    }

    /// The next piece of the file's content in `buffer`: its length, 0 at the end, nil when
    /// the reading stops here (a read error or damaged compressed data, recorded).
    private func fill() -> Int? {
        var n: Int
        if let u = utf16 {
            n = u.read(into: buffer, capacity: capacity, from: next)
        } else if let d = decompressor {
            do { n = try d.read(into: buffer, capacity: capacity, from: next) } catch {
                summary.unreadable.append((path, error.reason))
                return nil
            }
            decompressed += Int64(max(0, n))
            if let limit = decompressionLimit, let why = limit.refusal(decompressed: decompressed, compressed: Int64(d.consumed)) {
                summary.unreadable.append((path, why))
                return nil
            }
        } else {
            n = next(buffer, capacity)
        }
        if n < 0 {
            summary.unreadable.append((path, String(cString: strerror(Int32(-n - 1)))))
            return nil
        }
        return n
    }

    /// Reads one chunk and hands out the events it completes (at the end of the file, the
    /// last ones).
    func step(_ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        guard !isDone else { return }
        guard var n = fill() else { isDone = true; return }
        if firstChunk, n > 0, decompressor == nil, let kind = Decompressor.Format.detect(ByteSpan(base: buffer, count: n)) {
            do {
                decompressor = try Decompressor(format: kind, head: ByteSpan(base: buffer, count: n))
            } catch {
                summary.unreadable.append((path, error.reason))
                isDone = true
                return
            }
            summary.compressed[path] = kind.rawValue
            guard let m = fill() else { isDone = true; return }
            n = m
        }
        if firstChunk, n > 0, decompressor == nil, utf16 == nil, let bigEndian = UTF16Decoder.byteOrder(ByteSpan(base: buffer, count: n)) {
            utf16 = UTF16Decoder(bigEndian: bigEndian, head: ByteSpan(base: buffer, count: n))
            guard let m = fill() else { isDone = true; return }
            n = m
        }
        let eof = n == 0
        if firstChunk {
            firstChunk = false
            if state.format == nil {
                guard let f = LogFormat.detect(firstBytes: ByteSpan(base: buffer, count: n)) else {
                    let what = UTF16Decoder.looksLikeUTF16(ByteSpan(base: buffer, count: n)).map {
                        "UTF-16 text without a byte-order mark, which cannot be told from binary data: convert it to UTF-8 (iconv -f UTF-16\($0 ? "BE" : "LE") -t UTF-8)"
                    } ?? "binary data, not a log"
                    summary.passedOver.append((path, decompressor.map { "\($0.format.rawValue)-compressed, but what it holds is \(what)" } ?? what))
                    isDone = true
                    return
                }
                state.format = f
            }
            summary.formats[path] = state.format
            if state.format == .json { wholeFile = [] }
        }
        if wholeFile != nil {
            wholeFile!.append(contentsOf: UnsafeBufferPointer(start: buffer, count: n))
            if wholeFile!.count > LogReader.maxDocumentBytes {
                summary.passedOver.append((path, "a JSON document over \(LogReader.maxDocumentBytes >> 20) MiB; write it as NDJSON, one record a line (jq -c '.[]'), which is read in any size"))
                wholeFile = nil
                isDone = true
                return
            }
            if eof, var doc = wholeFile {
                isDone = true
                wholeFile = nil
                try doc.withUnsafeMutableBufferPointer { buf in
                    try state.jsonDocument(ByteSpan(UnsafeBufferPointer(buf)), summary: &summary, onEvent)
                }
            }
            return
        }
        if eof {
            isDone = true
            try splitter.finish { try piece($0, onEvent) }
            try state.finish(summary: &summary, onEvent)
            return
        }
        try splitter.push(ByteSpan(base: buffer, count: n)) { try piece($0, onEvent) }
    }

    private func piece(_ p: LineSplitter.Piece, _ onEvent: (consuming LogEvent) throws -> Void) rethrows {
        switch p {
        case .line(let line):
            lineNo += 1
            try state.line(line, number: lineNo, summary: &summary, onEvent)
        case .tooLong:
            lineNo += 1
            summary.linesRead += 1
            summary.skip(.tooLong, file: path, line: lineNo, detail: nil)
        case .blankLines(let run):
            try state.blankLines(run, from: lineNo + 1, summary: &summary, onEvent)
            lineNo += run
        }
    }
}
