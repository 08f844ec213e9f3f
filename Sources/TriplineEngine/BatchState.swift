import Foundation

/// What `tripline batch` has read so far: for each log file, by identity (device and inode, so a
/// renamed file keeps its place), how far it was read and how many lines that was. Saved with
/// every run's reports, so that a run is either wholly recorded or not at all.
public struct BatchState: Codable, Sendable, Equatable {
    public struct Mark: Codable, Sendable, Equatable {
        /// The path it had when last read.
        public var path: String
        public var device: UInt64
        public var inode: UInt64
        /// Bytes read (always at a line start).
        public var offset: Int64
        /// Lines read.
        public var lines: Int
        /// The first bytes of the file (hex), to notice a file overwritten in place.
        public var fingerprint: String
        /// A hash of the first `headLength` bytes of the content (decompressed), so that a
        /// rotated file compressed between runs is known as the content already read.
        public var headHash: String?
        public var headLength: Int?
        /// For a compressed file (`gzip`, `xz`, `zstd`, read whole): its compression and its
        /// size on disk when read; offsets and lines count the decompressed content.
        public var compression: String?
        public var compressedSize: Int64?

        /// Whether `head` (a file's first decompressed bytes) begins with the content this
        /// mark's file began with.
        public func sameContent(head: [UInt8]) -> Bool {
            guard let headHash, let headLength, headLength > 0, head.count >= headLength else { return false }
            return BatchState.hash(head.prefix(headLength)) == headHash
        }
    }

    /// FNV-1a (64 bits) of `bytes`, in hex: tells contents apart, not a defence against forgery
    /// (a forged match only makes batch skip the bytes an earlier run already read).
    public static func hash<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return String(h, radix: 16)
    }

    public var format = "tripline-batch-state"
    public var version = 1
    /// The run that wrote this state (sortable: its UTC time).
    public var runID: String?
    public var files: [Mark] = []
    /// For each journal read (a journal folder, or the system's), the position after the last
    /// entry read: the next run reads what was written after it, across journal rotation.
    public var journals: [JournalMark]?

    /// Where reading of one journal stopped.
    public struct JournalMark: Codable, Sendable, Equatable {
        /// The journal: its folder, or `(system journal)`.
        public var source: String
        /// sd-journal's cursor of the last entry read.
        public var cursor: String
    }

    public init() {}

    /// The cursor saved for a journal, if it was read before.
    public func cursor(of source: String) -> String? {
        journals?.first { $0.source == source }?.cursor
    }

    enum CodingKeys: String, CodingKey {
        case format, version, runID = "run_id", files, journals
    }

    /// The mark for a file identity, if it was read before.
    public func mark(device: UInt64, inode: UInt64) -> Mark? {
        files.first { $0.device == device && $0.inode == inode }
    }

    /// Reads a state file (nil when there is none); a damaged one is an error naming it.
    public static func load(_ path: String) throws -> BatchState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let s = try JSONDecoder().decode(BatchState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard s.format == "tripline-batch-state", s.version == 1 else {
                throw BatchRunner.BatchError(description: "\(path) is not a Tripline batch state (version 1)")
            }
            return s
        } catch let e as BatchRunner.BatchError {
            throw e
        } catch {
            throw BatchRunner.BatchError(description: "\(path) is damaged (\(error.localizedDescription)); move it away to start over (every file is then read again)")
        }
    }

    /// The JSON text.
    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }
}
