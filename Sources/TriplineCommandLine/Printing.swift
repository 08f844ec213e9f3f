import Foundation
import TriplineCore

/// Writes a line to standard error. Messages quote log text, file names and values from
/// records (all of them an attacker's to choose): control characters are shown as escapes, so
/// nothing written to the terminal can drive it.
public func printError(_ s: String) {
    let safe = TerminalSafe.sanitizeLines(s)
    FileHandle.standardError.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
}

/// Writes text for people to standard output, made safe as ``printError(_:)`` does.
public func printSafe(_ s: String, terminator: String = "\n") {
    print(TerminalSafe.sanitizeLines(s), terminator: terminator)
}
