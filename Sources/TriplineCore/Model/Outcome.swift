/// Whether the action an event records worked.
public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
    case success
    case failure
    case unknown

    /// Maps a structured source's `action` (or `outcome`) value to an outcome.
    ///
    /// Words of refusal map to `.failure`; words of success, and verbs that say an action was
    /// carried out (`read`, `write`, `delete`, …), map to `.success`; anything else is `.unknown`.
    public init(action raw: String) {
        if let known = Outcome.exact[raw] {
            self = known
            return
        }
        let a = raw.lowercased().trimmingCharacters(in: .whitespaces)
        if Outcome.failureWords.contains(a) || a.hasPrefix("fail") || a.hasPrefix("den") || a.hasPrefix("reject") {
            self = .failure
        } else if Outcome.successWords.contains(a) || a.hasPrefix("succe") {
            self = .success
        } else {
            self = .unknown
        }
    }

    /// The words below as written, lower-case and capitalised: the common case without Foundation.
    static let exact: [String: Outcome] = {
        var t: [String: Outcome] = [:]
        for w in failureWords { t[w] = .failure; t[w.capitalized] = .failure; t[w.uppercased()] = .failure }
        for w in successWords { t[w] = .success; t[w.capitalized] = .success; t[w.uppercased()] = .success }
        return t
    }()

    static let failureWords: Set<String> = [
        "failed", "failure", "fail", "fails", "denied", "deny", "rejected", "reject", "refused",
        "error", "invalid", "blocked", "block", "forbidden", "unauthorized", "locked", "bad",
        "incorrect", "wrong", "false", "no", "dropped", "drop",
    ]
    static let successWords: Set<String> = [
        "success", "succeeded", "successful", "ok", "accepted", "accept", "allowed", "allow",
        "granted", "grant", "passed", "pass", "true", "yes", "authenticated", "login", "logon",
        "logout", "logoff", "read", "write", "written", "create", "created", "delete", "deleted",
        "modify", "modified", "update", "updated", "execute", "executed", "exec", "run", "ran",
        "download", "downloaded", "upload", "uploaded", "access", "accessed", "open", "opened",
        "close", "closed", "copy", "copied", "move", "moved", "rename", "renamed", "start",
        "started", "stop", "stopped", "export", "exported", "view", "viewed", "list", "listed",
    ]
}

import Foundation
