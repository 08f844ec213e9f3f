import Foundation

/// Reconnaissance: bursts of connections from one source that never try to log in.
extension Detector {
    /// What the detector remembers about one source's probing connections.
    struct ScanState {
        /// Probes within the scan window, a second to an entry.
        var recent = SlidingCounts(resolution: 1_000_000)
        /// Where the first probes of the window were logged (the evidence of a scan that opens).
        var evidence: [(time: Int64, location: EvidenceLocation)] = []
        var last: Int64 = .min
        /// The latest scan reported from the source: its span and probes.
        var reported: (start: Int64, end: Int64, probes: Int)?
        /// The key of its incident in the ``IncidentBook`` (`scan|` and the source), made once
        /// rather than on each probe.
        var incidentKey = ""

        var count: Int { Int(recent.total.rounded()) }
        var first: Int64? { recent.oldest }

        mutating func add(_ t: Int64, _ location: EvidenceLocation, window: Int64) {
            // Another timeline (a second file, a replay) starts over, as the counts do.
            if let n = recent.newest, t < n - window { evidence.removeAll() }
            recent.add(t, window: window)
            last = recent.newest ?? t
            evidence.removeAll { $0.time < t - window }
            if evidence.count < 20 { evidence.append((t, location)) }
        }
    }

    /// A connection from `s` that never tried to log in.
    mutating func probe(_ e: LogEvent, source s: String) {
        let t = e.timestamp.microseconds
        let window = micros(config.scanWindow)
        // Changed in place in its table, found once (not taken out and put back: two more
        // hashes and a copy per probe).
        let i = scans.index(forKey: s) { ScanState(incidentKey: "scan|" + s) }
        let location = e.location
        let (key, count) = scans.withValue(at: i) { st in
            st.add(t, location, window: window)
            return (st.incidentKey, st.count)
        }
        let open = book.isOpen(key)
        // A source already behind a login attack: its dropped connections are part of that.
        guard open || (count >= config.scanMinProbes && !book.isOpen(IncidentBook.sourceKey(s))) else { return }
        let st = scans.values[i]
        let c = config
        let backfill = open ? [] : st.evidence.filter { $0.time < t }
        let first = open ? nil : st.first
        let earlier = open ? 0 : st.count - 1
        var span: (Int64, Int64, Int) = (t, t, 0)
        book.record(key, kind: .reconnaissance, event: e, gap: window, user: nil, source: s) { inc in
            inc.failures += 1 + Double(earlier)
            if let first, first < inc.anomaly.start.microseconds { inc.anomaly.start = Timestamp(microseconds: first) }
            if !backfill.isEmpty {
                inc.anomaly.eventCount += earlier
                let all = backfill.map(\.location) + inc.anomaly.evidence
                if all.count > c.evidenceLimit || earlier > backfill.count { inc.anomaly.evidenceTruncated = true }
                inc.anomaly.evidence = Array(all.prefix(c.evidenceLimit))
            }
            inc.slide(t, weight: 1 + Double(earlier), span: window)
            let n = Int(inc.failures.rounded())
            let minutes = max(1, Int((inc.anomaly.lastSeen.microseconds - inc.anomaly.start.microseconds) / 60_000_000))
            inc.anomaly.score = min(60, 30 + 8 * log2(inc.failures / Double(c.scanMinProbes)))
            inc.anomaly.reasons = [
                "\(n) connections from \(s) in \(minutes) min that never tried to log in (no identification string, protocol errors, disconnects before authentication): a scan; the threshold is \(c.scanMinProbes) in \(Int(c.scanWindow / 60)) min",
            ]
            inc.anomaly.details = ["probes": .int(Int64(n)), "max_probes_per_window": .double(inc.maxInTenMinutes)]
            span = (inc.anomaly.start.microseconds, inc.anomaly.lastSeen.microseconds, n)
        }
        scans.values[i].reported = span
    }

    /// How long after a scan a later incident of the same source mentions it.
    static let scanContext = micros(86_400)

    /// "preceded by a scan: …" for an incident of `s` opening at `t`, when `s` scanned within
    /// the day before.
    func scanNote(source s: String, at t: Int64) -> String? {
        guard let r = scans[s]?.reported, r.start <= t, t - r.end <= Detector.scanContext else { return nil }
        return "preceded by a scan: \(r.probes) connections from \(s) that never tried to log in, from \(Timestamp(microseconds: r.start).iso8601.prefix(16).replacingOccurrences(of: "T", with: " "))"
    }
}
