import TriplineCore

/// Copies that share no storage with the original: a store that keeps a few thousand anomalies
/// out of a large analysis copies them once the analysis is gone, so that they sit together
/// rather than spread over every page the analysis used (which then cannot be handed back).
extension String {
    /// The same text in a buffer of its own (short strings live inline and are returned as is).
    func copiedOut() -> String { utf8.count <= 15 ? self : String(decoding: Array(utf8), as: UTF8.self) }
}

extension JSONValue {
    func copiedOut() -> JSONValue {
        switch self {
        case .string(let s): return .string(s.copiedOut())
        case .array(let a): return .array(a.map { $0.copiedOut() })
        case .object(let o): return .object(Dictionary(uniqueKeysWithValues: o.map { ($0.key.copiedOut(), $0.value.copiedOut()) }))
        default: return self
        }
    }
}

extension Anomaly {
    /// This anomaly with every string, array and table in new storage.
    func copiedOut() -> Anomaly {
        var c = self
        c.id = id.copiedOut()
        c.user = user?.copiedOut()
        c.sourceIP = sourceIP?.copiedOut()
        c.host = host?.copiedOut()
        c.reasons = reasons.map { $0.copiedOut() }
        c.evidence = evidence.map { EvidenceLocation(file: $0.file.copiedOut(), line: $0.line) }
        c.details = Dictionary(uniqueKeysWithValues: details.map { ($0.key.copiedOut(), $0.value.copiedOut()) })
        return c
    }
}
