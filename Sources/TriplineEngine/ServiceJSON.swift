import TriplineCore

extension TriplineModel {
    /// The model as the REST API and the MCP tools describe it (one shape for both; `tripline
    /// analyze`'s document keeps its own, documented `trained_on` form).
    public func writeSummary(to w: inout JSONWriter) {
        w.raw("{"); writeSummaryMembers(to: &w); w.raw("}")
    }

    /// ``writeSummary(to:)``'s members without the braces: `"version": …` through
    /// `"service_accounts": […]`.
    public func writeSummaryMembers(to w: inout JSONWriter) {
        w.key("version"); w.int(version)
        w.raw(","); w.key("tripline_version"); w.string(triplineVersion)
        w.raw(","); w.key("created_at"); w.string(createdAt)
        w.raw(","); w.key("trained_events"); w.int(training.events)
        w.raw(","); w.key("trained_from"); w.optionalString(training.from)
        w.raw(","); w.key("trained_to"); w.optionalString(training.to)
        w.raw(","); w.key("excluded_events"); w.int(training.excluded?.events ?? 0)
        w.raw(","); w.key("excluded_incidents"); w.int(training.excluded?.incidents ?? 0)
        w.raw(","); w.key("contamination"); w.double(config.contamination)
        w.raw(","); w.key("threshold"); if let f = forest { w.double(f.offset) } else { w.raw("null") }
        w.raw(","); w.key("users"); w.int(users.count)
        w.raw(","); w.key("service_accounts"); w.value(.array(serviceAccounts.map { .string($0) }))
    }
}

extension AnalysisService.Stats {
    /// The service's counters as object members, each after a comma: `,"analyses": …` through
    /// `"kept_by_kind": {…}` (severities low to critical, kinds by name).
    public func writeCounterMembers(to w: inout JSONWriter) {
        w.raw(","); w.key("analyses"); w.int(analyses)
        w.raw(","); w.key("events_analyzed"); w.int(eventsAnalyzed)
        w.raw(","); w.key("lines_skipped"); w.int(linesSkipped)
        w.raw(","); w.key("anomalies_found"); w.int(anomaliesFound)
        w.raw(","); w.key("anomalies_kept"); w.int(anomaliesKept)
        w.raw(","); w.key("kept_by_severity"); w.raw("{")
        for (i, sev) in Severity.allCases.enumerated() {
            if i > 0 { w.raw(",") }
            w.dynamicKey(sev.rawValue); w.int(keptBySeverity[sev] ?? 0)
        }
        w.raw("}")
        w.raw(","); w.key("kept_by_kind"); w.raw("{")
        for (i, k) in keptByKind.keys.sorted(by: { $0.rawValue < $1.rawValue }).enumerated() {
            if i > 0 { w.raw(",") }
            w.dynamicKey(k.rawValue); w.int(keptByKind[k] ?? 0)
        }
        w.raw("}")
    }
}

extension Array where Element == Anomaly {
    /// `{"count": N, "anomalies": […]}`: a list of anomalies as the REST API and the MCP tools
    /// answer it.
    public func writeCountedList(to w: inout JSONWriter) {
        w.raw("{"); w.key("count"); w.int(count)
        w.raw(","); w.key("anomalies"); w.raw("[")
        for (i, a) in enumerated() {
            if i > 0 { w.raw(",") }
            a.writeJSON(to: &w)
        }
        w.raw("]}")
    }
}
