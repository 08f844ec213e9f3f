import Crypto
import Foundation
import TriplineConfig
import TriplineCore
import TriplineEngine

/// One HTTP request to a sink.
public struct AlertRequest: Sendable {
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
}

/// What a sink's answer means for the alerts sent.
public enum DeliveryOutcome: Sendable, Equatable {
    /// All taken.
    case delivered
    /// Try again later (after `after` seconds if the receiver said so).
    case retry(reason: String, after: Double?)
    /// Refused for good (a malformed request, as the receiver sees it).
    case rejected(reason: String)
    /// The request was too large: send fewer at a time.
    case tooLarge
    /// Some taken, some to retry, some refused (Elasticsearch's `_bulk` answers per document).
    case partial(retry: Set<String>, rejected: [String: String], reason: String)
}

/// How one sink wants its alerts: the request it makes of a batch, and how it reads the answer.
public struct AlertEndpoint: Sendable {
    public let sink: AlertSettings.Sink

    public init(sink: AlertSettings.Sink) { self.sink = sink }

    /// The sink's name (`slack`, `splunk`, …).
    public var name: String { sink.kind.rawValue }

    /// What logs and messages may show of the target: scheme, host and port only.
    public var shownTarget: String { "\(name) (\(AlertSettings.redactedURL(sink.url)))" }

    /// Strings that must never appear in anything Tripline prints.
    public var secrets: [String] {
        var s = [sink.url]
        if let c = URLComponents(string: sink.url) {
            if c.path.count > 1 { s.append(c.path) }
            if let q = c.query, !q.isEmpty { s.append(q) }
            if let p = c.password, !p.isEmpty { s.append(p) }
        }
        if let t = sink.secret { s.append(t) }
        return s.filter { $0.count >= 4 }
    }

    /// `text` with any secret of this sink replaced by `(hidden)`.
    public func redact(_ text: String) -> String {
        var t = text
        for s in secrets.sorted(by: { $0.count > $1.count }) { t = t.replacingOccurrences(of: s, with: "(hidden)") }
        return t
    }

    /// The request for `alerts`.
    public func request(for alerts: [Alert], now: Date = Date()) -> AlertRequest {
        var headers = [("User-Agent", "tripline/\(TriplineBuild.version)")]
        var url = sink.url
        let body: [UInt8]
        switch sink.kind {
        case .slack:
            headers.append(("Content-Type", "application/json"))
            body = SlackMessage.body(for: alerts)
        case .splunk:
            url = Self.withDefaultPath(url, "/services/collector/event")
            headers.append(("Content-Type", "application/json"))
            headers.append(("Authorization", "Splunk \(sink.secret ?? "")"))
            body = splunkBody(alerts)
        case .elasticsearch:
            url = Self.withDefaultPath(url, "/_bulk", always: true)
            headers.append(("Content-Type", "application/x-ndjson"))
            if let key = sink.secret { headers.append(("Authorization", "ApiKey \(key)")) }
            body = bulkBody(alerts)
        case .webhook:
            headers.append(("Content-Type", "application/json"))
            body = webhookBody(alerts, now: now)
            headers.append(("X-Tripline-Delivery", Self.deliveryID(alerts)))
            if let secret = sink.secret {
                headers.append(("X-Tripline-Signature-256", "sha256=" + Self.hmacHex(body, secret: secret)))
            }
        }
        if let c = URLComponents(string: url), let user = c.user, !user.isEmpty {
            // Credentials in the URL become Basic authentication (and leave the URL).
            let pass = c.password ?? ""
            let raw = "\(user.removingPercentEncoding ?? user):\(pass.removingPercentEncoding ?? pass)"
            headers.append(("Authorization", "Basic " + Data(raw.utf8).base64EncodedString()))
            var bare = c
            bare.user = nil
            bare.password = nil
            url = bare.string ?? url
        }
        return AlertRequest(url: url, headers: headers, body: body)
    }

    /// How the receiver's answer is taken.
    public func outcome(status: Int, retryAfter: String?, body: [UInt8], alerts: [Alert]) -> DeliveryOutcome {
        let excerpt = redact(TerminalSafe.sanitize(String(decoding: body.prefix(300), as: UTF8.self)))
        let said = excerpt.isEmpty ? "" : ": \(excerpt)"
        switch status {
        case 200..<300:
            if sink.kind == .elasticsearch { return bulkOutcome(body, alerts: alerts) }
            return .delivered
        case 413:
            return alerts.count > 1 ? .tooLarge : .rejected(reason: "HTTP 413 (one alert is too large for the receiver)\(said)")
        case 408, 425, 429, 500...599:
            return .retry(reason: "HTTP \(status)\(said)", after: retryAfter.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) })
        case 401, 403, 404:
            // A wrong or revoked token or URL: keep the alerts until the configuration is fixed.
            return .retry(reason: "HTTP \(status): check the \(name) URL and token\(said)", after: nil)
        default:
            return .rejected(reason: "HTTP \(status)\(said)")
        }
    }

    /// Elasticsearch answers 200 with a status per document: 2xx and 409 (already there, from an
    /// earlier attempt) are done, 429 and 5xx are retried, the rest refused.
    func bulkOutcome(_ body: [UInt8], alerts: [Alert]) -> DeliveryOutcome {
        guard let v = try? JSONParser.parse(String(decoding: body, as: UTF8.self)) else {
            return .retry(reason: "Elasticsearch answered 2xx with a body that is not JSON", after: nil)
        }
        guard v["errors"] == .bool(true) else { return .delivered }
        guard case .array(let items)? = v["items"], items.count == alerts.count else {
            return .retry(reason: "Elasticsearch reported errors without one item per document", after: nil)
        }
        var retry = Set<String>()
        var rejected: [String: String] = [:]
        for (item, alert) in zip(items, alerts) {
            let r = item["create"] ?? item["index"] ?? .null
            let status = Int(r["status"]?.numberValue ?? 0)
            if (200..<300).contains(status) || status == 409 { continue }
            if status == 429 || status >= 500 { retry.insert(alert.id); continue }
            let type = r["error"]?["type"]?.scalarText ?? "error"
            let reason = r["error"]?["reason"]?.scalarText ?? ""
            rejected[alert.id] = redact(TerminalSafe.sanitize("HTTP \(status) \(type): \(reason.prefix(200))"))
        }
        if retry.isEmpty && rejected.isEmpty { return .delivered }
        return .partial(retry: retry, rejected: rejected, reason: "Elasticsearch took \(alerts.count - retry.count - rejected.count) of \(alerts.count) documents")
    }

    // MARK: bodies

    /// An alert as a JSON object: its id, escalation and test flag, then the anomaly's fields
    /// (the schema of `tripline analyze --output json`).
    static func writeAlert(_ a: Alert, to w: inout JSONWriter) {
        w.raw("{"); w.key("alert_id"); w.string(a.id)
        w.raw(","); w.key("escalated_from"); w.optionalString(a.previousSeverity?.rawValue)
        w.raw(","); w.key("test"); w.bool(a.isTest)
        w.raw(","); w.key("entity"); w.string(a.anomaly.entity)
        var inner = JSONWriter()
        a.anomaly.writeJSON(to: &inner)
        w.raw(",")
        w.bytes.append(contentsOf: inner.bytes.dropFirst())
    }

    func splunkBody(_ alerts: [Alert]) -> [UInt8] {
        var w = JSONWriter()
        for a in alerts {
            w.raw("{"); w.key("time"); w.double(a.anomaly.start.seconds)
            w.raw(","); w.key("host"); w.string(a.anomaly.host ?? "tripline")
            w.raw(","); w.key("source"); w.string("tripline")
            w.raw(","); w.key("sourcetype"); w.string(sink.sourcetype)
            if let index = sink.index { w.raw(","); w.key("index"); w.string(index) }
            w.raw(","); w.key("event"); Self.writeAlert(a, to: &w)
            w.raw("}\n")
        }
        return w.bytes
    }

    func bulkBody(_ alerts: [Alert]) -> [UInt8] {
        var w = JSONWriter()
        let index = sink.index ?? "tripline-anomalies"
        for a in alerts {
            // `create` with the alert id as `_id`: a repeat after a crash is a 409, not a second document.
            w.raw("{"); w.key("create"); w.raw("{"); w.key("_index"); w.string(index)
            w.raw(","); w.key("_id"); w.string(a.id); w.raw("}}\n")
            var doc = JSONWriter()
            AnomalyFormats.writeECS(a.anomaly, to: &doc)
            // Add the alert's own fields inside the `tripline` object (the last one ECS writes).
            doc.bytes.removeLast(2)
            doc.raw(","); doc.key("alert_id"); doc.string(a.id)
            doc.raw(","); doc.key("escalated_from"); doc.optionalString(a.previousSeverity?.rawValue)
            doc.raw(","); doc.key("test"); doc.bool(a.isTest)
            doc.raw("}}\n")
            w.bytes.append(contentsOf: doc.bytes)
        }
        return w.bytes
    }

    func webhookBody(_ alerts: [Alert], now: Date) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{"); w.key("source"); w.string("tripline")
        w.raw(","); w.key("version"); w.string(TriplineBuild.version)
        w.raw(","); w.key("sent_at"); w.string(Timestamp(seconds: now.timeIntervalSince1970).iso8601)
        w.raw(","); w.key("alerts"); w.raw("[")
        for (i, a) in alerts.enumerated() {
            if i > 0 { w.raw(",") }
            Self.writeAlert(a, to: &w)
        }
        w.raw("]}")
        return w.bytes
    }

    /// The same batch always gets the same delivery id, so a receiver can drop a repeat.
    static func deliveryID(_ alerts: [Alert]) -> String {
        let digest = SHA256.hash(data: Array(alerts.map(\.id).joined(separator: "\n").utf8))
        return digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// HMAC-SHA256 of `body` with `secret`, in hex.
    public static func hmacHex(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    static func withDefaultPath(_ url: String, _ path: String, always: Bool = false) -> String {
        guard var c = URLComponents(string: url) else { return url }
        if c.path.isEmpty || c.path == "/" { c.path = path } else if always, !c.path.hasSuffix(path) {
            c.path = (c.path.hasSuffix("/") ? String(c.path.dropLast()) : c.path) + path
        }
        return c.string ?? url
    }
}
