import Foundation

/// Brute force, slow brute force, password spraying, user enumeration and success after failures.
extension Detector {
    /// A failure from `source` (its address, as its key in ``sources``).
    mutating func sourceFailure(_ e: LogEvent, source sourceKey: HashedName, weight: Double, unknownAccount: Bool) {
        let s = sourceKey.name
        let keep = micros(max(config.sprayWindow, config.bruteForceWindow, config.enumerationWindow, config.successAfterFailuresWindow))
        // In place: a copy of the state would copy its failures on every line. Found once: the
        // source's key is hashed once for a known source.
        let at = sources.index(forKey: sourceKey) { SourceState() }
        let before = sources.withValue(at: at) { $0.failures.count }
        let this = sources.values[at].add(
            .init(time: e.timestamp.microseconds, user: e.user, invalid: unknownAccount, weight: weight,
                  fileNumber: failureFiles.number(e.file), line: e.line, events: e.repeatCount),
            keep: keep, slowKeep: micros(config.slowWindow), clock: clockNumber, timeline: clockTimeline, displaced: displaced)
        failuresHeld += sources.withValue(at: at) { $0.failures.count } - before
        guard sources.withValue(at: at, { $0.holdsFailure(this) }) else { return }
        let key = IncidentBook.sourceKey(s)
        if book.isOpen(key) {
            recordSource(e, key: key, weight: weight, unknownAccount: unknownAccount)
            return
        }
        // The windows end at this failure as it was placed (a late line counts as just before the newest).
        let t = sources.withValue(at: at) { $0.failureTime(this) }

        // Windows over this source's recent failures.
        let bfFrom = t - micros(config.bruteForceWindow)
        let sprayFrom = t - micros(config.sprayWindow)
        let enumFrom = t - micros(config.enumerationWindow)
        // A first look, in place and without hashing a name: with fewer failures in the window
        // than the fewest distinct accounts enumeration or spraying need, and less weight than a
        // brute force needs, none of the three can fire (the common case: a source with a
        // failure or two), and the accounts are not tallied.
        let look = sources.withValue(at: at) { $0.firstLook(since: sprayFrom) }
        let mayFire = look.entries >= min(config.enumerationMinInvalidUsers, config.sprayMinUsers) || look.weight >= config.bruteForceFailures
        var trigger = false
        var slowOpening = false
        // Where the window of the rule that fired begins: the incident starts no earlier.
        var windowFrom = sprayFrom
        if mayFire {
            // (Copied only here: most failures, an attack under way or a source with a failure or
            // two, need none of it.)
            let st = sources.values[at]
            var n10 = 0.0
            var perUser: [String: Double] = [:]
            var invalid = Set<String>(), invalidRecent = Set<String>()
            for f in st.failures.reversed() {
                if f.time < sprayFrom { break }
                if f.forgiven { continue }
                if f.time >= bfFrom { n10 += f.weight }
                let u = f.user ?? "?"
                perUser[u, default: 0] += max(f.weight, f.invalid ? 1 : 0)
                if f.invalid {
                    invalid.insert(u)
                    if f.time >= enumFrom { invalidRecent.insert(u) }
                }
            }
            let distinct = perUser.count
            let attempts = perUser.values.reduce(0, +)
            let perUserAvg = distinct > 0 ? attempts / Double(distinct) : 0
            let invalidShare = distinct > 0 ? Double(invalid.count) / Double(distinct) : 0
            if invalidRecent.count >= config.enumerationMinInvalidUsers, invalidShare >= config.enumerationMinInvalidShare {
                trigger = true
                windowFrom = distinct >= config.sprayMinUsers ? sprayFrom : enumFrom
            } else if distinct >= config.sprayMinUsers, perUserAvg <= config.sprayMaxPerUser {
                trigger = true
            } else if n10 >= config.bruteForceFailures {
                // On one account or many: the incident's kind is settled from all it gathers.
                trigger = true
                windowFrom = bfFrom
            }
        }
        // The slow window, in hours since the epoch: (slowFrom, hour].
        let hour = t / 3_600_000_000
        let slowFrom = hour - Int64(config.slowWindow / 3600)
        if !trigger {
            let slow = sources.withValue(at: at) { $0.hourly.weight(after: slowFrom, upTo: hour) }
            if slow.total >= config.slowMinFailures, slow.hours >= config.slowMinHours { trigger = true; slowOpening = true }
        }
        guard trigger else { return }
        let st = sources.values[at]
        // Everything before this failure in the rule's window (out-of-order input may have put
        // later ones after it).
        let backfill = st.failures[..<this].filter { $0.time >= windowFrom && !$0.forgiven }
        // The source's failures over the slow window before these: known by the hour only. A
        // slow brute force is made of them; any other incident states them as history.
        let shortFrom = backfill.first?.time ?? t
        var earlier = SlowHistory()
        var inWindow = 0.0
        for h in st.hourly.hours where h.index > slowFrom && h.index <= hour && h.weight > 0 {
            inWindow += h.weight
            earlier.hours.append(h.index)
            if let f = h.first, f < shortFrom { earlier.first = min(earlier.first ?? f, f) }
        }
        earlier.failures = max(0, inWindow - backfill.reduce(0) { $0 + $1.weight } - weight)
        if earlier.failures < 0.5 { earlier.first = nil }
        earlier.partOfIncident = slowOpening
        // The burst this failure belongs to: the failures before it no more than a brute-force
        // window apart. A slow brute force that turns into a burst is reported from the burst.
        var burstStart = t
        for f in backfill.reversed() where f.time <= burstStart {
            if burstStart - f.time > micros(config.bruteForceWindow) { break }
            burstStart = f.time
        }
        earlier.burstStart = burstStart
        earlier.beforeBurst = earlier.failures + backfill.reduce(0) { $0 + ($1.time < burstStart ? $1.weight : 0) }
        // Open with the failures already in the window, so the incident starts where the attack did:
        // everything that arrived before this one (the last appended), including failures logged
        // in the same second or microsecond, as bursts and second-resolution syslog have them.
        recordSource(e, key: key, weight: weight, unknownAccount: unknownAccount, backfill: backfill, earlier: earlier)
    }

    /// What a source's hourly counts say about failures before the ones kept one by one.
    struct SlowHistory {
        var failures = 0.0
        var hours: [Int64] = []
        var first: Int64?
        /// They are the start of the incident (a slow brute force), not only its history.
        var partOfIncident = false
        /// The first failure of the burst the opening failure belongs to.
        var burstStart: Int64 = .max
        /// Failures before that burst (within the slow window).
        var beforeBurst = 0.0
    }

    /// Adds a failure to the source's incident and re-classifies it from everything it holds.
    private mutating func recordSource(_ e: LogEvent, key: String, weight: Double, unknownAccount: Bool, backfill: [SourceState.Failure] = [],
                                       earlier: SlowHistory? = nil) {
        let cfg = config, shared = sharedConfig
        let t = e.timestamp.microseconds
        // (Not a closure: one reading `self` in a mutating method copies the whole detector.)
        var knownFor = false
        if e.user != nil, e.sourceIP != nil { knownFor = baselineFacts(e).sourceKnown == 1 } // the baseline has this source
        let evidenceLimit = book.evidenceLimit
        let scan = backfill.isEmpty && earlier == nil ? nil : e.sourceIP.flatMap { scanNote(source: $0, at: t) }
        book.record(key, kind: .bruteForce, event: e, gap: micros(cfg.incidentGap), user: nil, source: e.sourceIP) { inc in
            if let scan, !inc.notes.contains(scan) { inc.notes.append(scan) }
            // The failures before this one (when it opens), then this one: counted in place, no
            // list made per failure.
            for f in backfill {
                Detector.count(&inc, time: f.time, user: f.user, invalid: f.invalid, weight: f.weight, span: micros(cfg.bruteForceWindow))
            }
            Detector.count(&inc, time: t, user: e.user, invalid: unknownAccount, weight: weight, span: micros(cfg.bruteForceWindow))
            if let h = earlier {
                if h.partOfIncident {
                    inc.failures += h.failures
                    inc.hours.formUnion(h.hours)
                    inc.anomaly.eventCount += Int(h.failures.rounded())
                    if h.failures >= 0.5 { inc.anomaly.evidenceTruncated = true } // known by the hour only
                    inc.prior = .init(failures: h.beforeBurst, first: min(h.first ?? .max, backfill.first?.time ?? .max), counted: true)
                } else if h.failures >= 0.5, let first = h.first {
                    inc.prior = .init(failures: h.failures, first: first, counted: false)
                }
                inc.burstStart = min(inc.burstStart, h.burstStart)
                inc.slowStart = min(inc.slowStart, h.partOfIncident ? (h.first ?? h.burstStart) : h.burstStart, backfill.first?.time ?? .max)
            }
            inc.burstStart = min(inc.burstStart, t)
            inc.slowStart = min(inc.slowStart, t)
            if !backfill.isEmpty || (earlier?.partOfIncident == true && earlier?.first != nil) {
                let starts = [backfill.first?.time, earlier?.partOfIncident == true ? earlier?.first : nil].compactMap { $0 }
                inc.anomaly.start = Timestamp(microseconds: starts.min() ?? t)
                inc.anomaly.eventCount += backfill.reduce(0) { $0 + $1.events }
                // The evidence starts with the failures that came before the incident opened.
                let before = backfill.prefix(evidenceLimit).map { EvidenceLocation(file: failureFiles.name($0.fileNumber) ?? "-", line: $0.line) }
                let all = before + inc.anomaly.evidence
                if all.count > evidenceLimit || backfill.count > evidenceLimit { inc.anomaly.evidenceTruncated = true }
                inc.anomaly.evidence = Array(all.prefix(evidenceLimit))
            }
            Detector.classifySource(&inc, config: shared, knownSourceForUser: knownFor)
        }
    }

    /// Adds one failure to a source incident's numbers.
    @inline(__always)
    static func count(_ inc: inout IncidentBook.Incident, time: Int64, user: String?, invalid: Bool, weight: Double, span: Int64) {
        inc.failures += weight
        inc.accounts.add(user ?? "?", weight: max(weight, invalid ? 1 : 0), invalid: invalid)
        inc.hours.insert(time / 3_600_000_000)
        inc.slide(time, weight: weight, span: span)
    }

    /// What a source incident's numbers make of it, whichever rule opened it.
    struct SourceReading {
        var enumeration: Bool
        var spraying: Bool
        var burst: Bool
        var isSlow: Bool { !enumeration && !spraying && !burst }

        /// (Borrowed and read field by field: a copy of the incident, or of its accounts, would
        /// retain each of their tables on every failure.)
        init(_ inc: borrowing IncidentBook.Incident, config c: DetectionConfig) {
            let distinct = inc.accounts.distinct
            let invalidCount = inc.accounts.invalidCount
            let avg = distinct > 0 ? inc.accounts.totalAttempts / Double(distinct) : 0
            let invalidShare = distinct > 0 ? Double(invalidCount) / Double(distinct) : 0
            enumeration = invalidCount >= c.enumerationMinInvalidUsers && invalidShare >= c.enumerationMinInvalidShare
            spraying = distinct >= c.sprayMinUsers && avg <= c.sprayMaxPerUser
            burst = inc.maxInTenMinutes >= c.bruteForceFailures
        }
    }

    /// Kind, score, start and gap of a source incident from its running numbers (on every
    /// failure); its reasons and details are written when it is read out (``describeSource(_:)``),
    /// not rewritten on each of a long attack's failures.
    static func classifySource(_ inc: inout IncidentBook.Incident, config shared: SharedConfig, knownSourceForUser: Bool) {
        let c = shared.value
        let distinct = inc.accounts.distinct
        let r = SourceReading(inc, config: c)
        // A slow brute force starts at its first failure; any other incident at its burst, with
        // what the source did before stated as history.
        if inc.burstStart != .max, inc.slowStart != .max {
            inc.anomaly.start = Timestamp(microseconds: r.isSlow ? inc.slowStart : inc.burstStart)
        }
        var kind: AnomalyKind
        var score: Double
        if r.enumeration {
            kind = .userEnumeration
            score = min(70, 42 + 10 * log2(Double(inc.accounts.invalidCount) / Double(c.enumerationMinInvalidUsers)))
        } else if r.spraying {
            kind = .passwordSpraying
            score = min(84, 62 + 10 * log2(Double(distinct) / Double(c.sprayMinUsers)))
        } else if r.burst {
            kind = .bruteForce
            score = min(82, 45 + 12 * log2(inc.failures / c.bruteForceFailures))
            if inc.accounts.triedValid { score += 6 }
            if inc.accounts.triedRoot { score += 4 }
            if knownSourceForUser { score -= 20 }
        } else {
            kind = .slowBruteForce
            score = min(78, 48 + 10 * log2(max(1, inc.failures / c.slowMinFailures)))
        }
        inc.anomaly.kind = kind
        inc.anomaly.score = max(1, min(100, score))
        inc.anomaly.user = inc.accounts.top.first.map { $0.name == "?" ? nil : $0.name } ?? nil
        inc.gap = kind == .slowBruteForce ? max(micros(6 * 3600), micros(c.incidentGap)) : micros(c.incidentGap)
        inc.sourceText = .init(config: shared, knownSourceForUser: knownSourceForUser)
    }

    /// The reasons and details of a source incident, from the numbers ``classifySource(_:config:knownSourceForUser:)``
    /// last saw (the incident book calls this when it hands the incident out).
    static func describeSource(_ inc: inout IncidentBook.Incident) {
        guard let text = inc.sourceText else { return }
        inc.sourceText = nil
        let c = text.config.value
        let accounts = inc.accounts
        let distinct = accounts.distinct
        let invalidCount = accounts.invalidCount
        let avg = distinct > 0 ? accounts.totalAttempts / Double(distinct) : 0
        let top = accounts.top
        let topNames = top.prefix(5).map { $0.name }.joined(separator: ", ")
        let src = inc.anomaly.sourceIP ?? "?"
        let r = SourceReading(inc, config: c)
        let spanMinutes = max(1, Int((inc.anomaly.lastSeen.microseconds - inc.anomaly.start.microseconds) / 60_000_000))
        let history = r.isSlow ? nil : inc.prior
        let f = Int((inc.failures - (history?.counted == true ? history?.failures ?? 0 : 0)).rounded())
        var reasons: [String] = []
        if r.enumeration {
            let about = accounts.isEstimate ? "about " : ""
            reasons.append("\(src) tried \(about)\(invalidCount) account names that do not exist (of \(about)\(distinct) tried) in \(spanMinutes) min; the threshold is \(c.enumerationMinInvalidUsers)")
            reasons.append("names tried include: \(topNames)")
        } else if r.spraying {
            reasons.append("\(src) failed to log in to \(accounts.isEstimate ? "about " : "")\(distinct) different accounts with \(String(format: "%.1f", avg)) attempts each on average in \(spanMinutes) min: one password tried across many accounts")
            reasons.append("accounts include: \(topNames)")
        } else if r.burst {
            if distinct == 1 {
                reasons.append("\(f) failed logins for \(topNames) from \(src) in \(spanMinutes) min (up to \(Int(inc.maxInTenMinutes)) in \(Int(c.bruteForceWindow / 60)) min; the threshold is \(Int(c.bruteForceFailures)))")
            } else {
                reasons.append("\(f) failed logins for \(distinct) accounts from \(src) in \(spanMinutes) min (up to \(Int(inc.maxInTenMinutes)) in \(Int(c.bruteForceWindow / 60)) min; the threshold is \(Int(c.bruteForceFailures)))")
                reasons.append("accounts: \(topNames)")
            }
            if text.knownSourceForUser { reasons.append("\(src) is a usual address of this user: possibly a forgotten password") }
        } else {
            reasons.append("\(f) failed logins from \(src) spread over \(inc.hours.count) hours (never more than \(Int(inc.maxInTenMinutes)) in \(Int(c.bruteForceWindow / 60)) min): a slow brute force that stays under rate limits")
            reasons.append("accounts: \(topNames)")
        }
        if let h = history, h.failures >= 0.5, h.first < inc.anomaly.start.microseconds {
            let n = Int(h.failures.rounded())
            reasons.append("also \(n) failed login\(n == 1 ? "" : "s") from \(src) over the previous \(Detector.duration(inc.anomaly.start.microseconds - h.first)) before this")
        }
        if let p = inc.previous {
            reasons.append("follows incident \(p.id) from \(src), which ended \(Detector.duration(inc.anomaly.start.microseconds - p.end.microseconds)) before")
        }
        reasons += inc.notes
        inc.anomaly.reasons = reasons
        inc.anomaly.details = [
            "failures": .int(Int64(f)), "distinct_users": .int(Int64(distinct)),
            "invalid_users": .int(Int64(invalidCount)), "max_failures_per_window": .double(inc.maxInTenMinutes),
            "hours_with_failures": .int(Int64(inc.hours.count)), "users": .array(top.prefix(20).map { .string($0.name) }),
        ]
        if let p = inc.previous { inc.anomaly.details["previous_incident"] = .string(p.id) }
    }

    /// The score of a login after failed logins from the same address (the README's table).
    /// It only rises with the evidence: more failures on the account never score less.
    /// - `forUser`: failed attempts on this account from the address within the window;
    /// - `fromSource`: failed attempts from the address on any account;
    /// - `knownAndOnlyOwn`: the address is one of the account's usual ones and only this
    ///   account failed from it.
    static func successScore(forUser: Double, fromSource: Double, knownAndOnlyOwn: Bool, config: DetectionConfig) -> Double {
        if forUser >= config.bruteForceFailures { return 92 }   // the password was guessed: critical
        if knownAndOnlyOwn { return 45 }                        // the user after typos: medium
        if forUser >= 3 { return 80 }                           // several tries on the account: high
        if fromSource >= config.successAfterFailuresMin { return 74 } // an attacking address got in: high
        return 55                                               // one or two tries, an attack open: medium
    }

    /// A span in words: "40 min", "22 h", "3 days".
    static func duration(_ us: Int64) -> String {
        let minutes = max(1, us / 60_000_000)
        if minutes < 120 { return "\(minutes) min" }
        let hours = minutes / 60
        return hours < 72 ? "\(hours) h" : "\(hours / 24) days"
    }

    /// A successful login: after failures from the same source, it is the attack succeeding.
    /// (`sourceKey` is the source's key in ``sources``, when the login names one.)
    mutating func successfulLogin(_ e: LogEvent, user u: String, sourceKey: HashedName?) {
        let t = e.timestamp.microseconds
        var st = users[u] ?? UserState()
        st.lastActivity = t
        users[u] = st
        if let key = sourceKey, let src = sources[key] {
            let s = key.name
            let from = t - micros(config.successAfterFailuresWindow)
            var recent = 0.0
            var forUser = 0.0
            for f in src.failures.reversed() {
                if f.time < from { break }
                if f.forgiven { continue }
                recent += f.weight
                if f.user == u { forUser += f.weight }
            }
            let attackOpen = book.isOpen(IncidentBook.sourceKey(s))
            if recent >= config.successAfterFailuresMin || (attackOpen && recent > 0) {
                let known = baseline(u)?.sources[s] != nil
                let onlyOwn = forUser == recent
                let srcKind = book.incident(IncidentBook.sourceKey(s))?.anomaly.kind
                let scan = scanNote(source: s, at: t)
                let score = Detector.successScore(forUser: forUser, fromSource: recent, knownAndOnlyOwn: known && onlyOwn, config: config)
                book.record("success_after_failures|" + u + "|" + s, kind: .successAfterFailures, event: e, gap: micros(config.takeoverWatch), user: u, source: s) { inc in
                    inc.anomaly.score = max(inc.anomaly.score, score)
                    var r = ["\(u) logged in from \(s) after \(Int(recent.rounded())) failed logins from that address in the previous \(Int(config.successAfterFailuresWindow / 60)) min" + (forUser > 0 ? " (\(Int(forUser.rounded())) of them for \(u))" : "")]
                    if let k = srcKind { r.append("\(s) is behind an ongoing \(k.title)") }
                    if let note = scan { r.append(note) }
                    if known && onlyOwn && forUser < config.bruteForceFailures {
                        r.append("\(s) is one of \(u)'s usual addresses and only \(u)'s password failed: possibly the user, after typos")
                    } else if forUser >= config.bruteForceFailures {
                        r.append("\(Int(forUser.rounded())) failed attempts on \(u) reach the brute-force threshold (\(Int(config.bruteForceFailures))): the password was guessed, however familiar the address")
                    }
                    if let m = e.authMethod { r.append("login method: \(m)") }
                    inc.anomaly.reasons = r + inc.notes
                    inc.anomaly.details["failures_before"] = .double(recent)
                    inc.anomaly.details["failures_for_user"] = .double(forUser)
                }
                // What the account does next is part of the story.
                users[u]?.watch = UserState.Watch(start: t, points: config.takeoverMinNovelty, reasons: [], source: s, host: e.host,
                                                  incidentKey: "success_after_failures|" + u + "|" + s, kind: .successAfterFailures)
                return
            }
            // Not suspicious: this account's failures just before were typos. Taking them out
            // keeps an office's shared address (NAT, a proxy) from adding its people's typos up
            // into a slow brute force or a spray.
            if !attackOpen { sources[key]?.forgive(user: u, since: t - micros(config.typoWindow)) }
        }
        loginNovelty(e, user: u)
    }
}
