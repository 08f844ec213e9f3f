import ArgumentParser
import Foundation
import TriplineCore
import TriplineCommandLine

/// The anomalies of a result file that `command` was given: the document of `tripline analyze
/// --output json` (or of the REST API), the dashboard's export, a JSON array or NDJSON; `-` is
/// standard input. A folder, a missing or unreadable file, or a document that is not one of
/// these is said in a sentence naming the file (and the place in it), and ends the command with
/// exit status 2 (could not run).
func readAnomalies(_ path: String, command: String) throws -> [Anomaly] {
    var isFolder: ObjCBool = false
    if path != "-" {
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            printError("tripline \(command): no such file: \(path)")
            throw ExitCode(2)
        }
        if isFolder.boolValue {
            printError("tripline \(command): \(path) is a folder: give the anomalies file (tripline analyze --output json, a batch run's anomalies.json, or the dashboard's export)")
            throw ExitCode(2)
        }
        // A device or a FIFO could block or never end (/dev/zero): only regular files are read.
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType, type != .typeRegular {
            printError("tripline \(command): \(path) is not a regular file: give the anomalies file (or - to read standard input)")
            throw ExitCode(2)
        }
    }
    let data: Data
    do {
        data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        printError("tripline \(command): cannot read \(path): \((error as NSError).localizedDescription)")
        throw ExitCode(2)
    }
    do {
        return try AnomalyDocument.anomalies(in: String(decoding: data, as: UTF8.self))
    } catch {
        let name = TerminalSafe.sanitize(path)
        // A log given where a result was expected (`tripline explain ID auth.log`): say so.
        let head = data.prefix(4096)
        let looksLikeLog = head.withUnsafeBytes { buf in
            LogFormat.detect(firstBytes: ByteSpan(buf.bindMemory(to: UInt8.self))).map { $0 != .json && $0 != .ndjson } ?? false
        }
        if looksLikeLog {
            printError("tripline \(command): \(name) is a log, not a result: \(command) reads the anomalies Tripline found, so make them first (tripline analyze \(name) --output json > result.json, then tripline \(command) … result.json)")
        } else {
            printError("tripline \(command): \(name) is not a Tripline result (\(error)): give the output of tripline analyze --output json, a batch run's anomalies.json, or the dashboard's export")
        }
        throw ExitCode(2)
    }
}
