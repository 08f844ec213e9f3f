import Foundation
import TriplineCore

/// Writes anomalies to a JSON file atomically (a temporary file renamed into place):
/// `{"exported_at": …, "count": N, "anomalies": [...]}`, each anomaly as `analyze` prints it.
public enum AnomalyExport {
    /// Why an export failed.
    public struct ExportError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes the file; returns its absolute path.
    @discardableResult
    public static func write(_ anomalies: [Anomaly], to path: String, now: Date = Date()) throws -> String {
        let url = URL(fileURLWithPath: path)
        var w = JSONWriter()
        w.raw("{\n  "); w.key("exported_at"); w.string(Timestamp(seconds: now.timeIntervalSince1970).iso8601)
        w.raw(",\n  "); w.key("count"); w.int(anomalies.count)
        w.raw(",\n  "); w.key("anomalies"); w.raw("[")
        for (i, a) in anomalies.enumerated() {
            w.raw(i == 0 ? "\n    " : ",\n    ")
            a.writeJSON(to: &w)
        }
        w.raw(anomalies.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        do {
            try AtomicFile.write(w.bytes, to: url.path, mode: AtomicFile.reportMode)
        } catch {
            throw ExportError(description: error.description)
        }
        return url.path
    }
}
