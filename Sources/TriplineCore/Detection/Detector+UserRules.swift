import Foundation

/// Account takeover, service-account misuse, privilege escalation, bulk data access and
/// isolation-forest outliers.
extension Detector {
    /// Programs that give a shell, change accounts or credentials, fetch or pass data over the
    /// network, or change the system's security: what an intruder runs with sudo.
    static let sensitivePrograms: Set<String> = [
        "bash", "sh", "zsh", "dash", "ksh", "csh", "tcsh", "fish", "su", "sudoedit",
        "passwd", "chpasswd", "visudo", "useradd", "usermod", "userdel", "adduser", "deluser", "groupadd", "gpasswd",
        "crontab", "wget", "curl", "nc", "ncat", "netcat", "socat", "scp", "sftp", "tcpdump", "insmod", "modprobe",
        "setcap", "chattr", "iptables", "nft", "ufw",
    ]
    /// Arguments that touch credentials or set privilege bits, whatever the program.
    static let sensitiveText = ["/etc/shadow", "/etc/sudoers", "/etc/passwd", "authorized_keys", "chmod +s", "chmod u+s", "chmod g+s", "chmod 4", "/dev/tcp/"]
    /// Network tools that matter anywhere in a command line (`sh -c 'curl … | sh'`).
    static let networkTools: Set<String> = ["wget", "curl", "nc", "ncat", "netcat", "socat"]
    static let commandPunctuation = CharacterSet(charactersIn: "'\"|;&()`")

    /// Whether a sudo command is an interactive shell or touches accounts, credentials or the
    /// network. Programs are matched by name, not as text inside other words (`rsync` is not `nc`).
    static func isSensitive(_ command: String?) -> Bool {
        guard let c = command else { return false }
        if c == "-s" || c == "-i" { return true }
        let words = c.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first else { return false }
        func name(_ w: Substring) -> Substring { w.lastIndex(of: "/").map { w[w.index(after: $0)...] } ?? w }
        if sensitivePrograms.contains(String(name(first))) { return true }
        for w in words.dropFirst() {
            let bare = w.trimmingCharacters(in: Detector.commandPunctuation)
            if networkTools.contains(String(name(Substring(bare)))) { return true }
        }
        return sensitiveText.contains { containsText(c, $0) }
    }

    /// A login that did not follow failures: how new is it for this user?
    mutating func loginNovelty(_ e: LogEvent, user u: String) {
        guard let b = baseline(u), b.events >= 10 else { return }
        let t = e.timestamp.microseconds
        let secs = e.timestamp.wholeSeconds
        let hour = Int(((secs % 86_400) + 86_400) % 86_400 / 3600)
        let day = Int((secs >= 0 ? secs : secs - 86_399) / 86_400)
        let weekend = day % 7 == 2 || day % 7 == 3
        if b.isServiceAccount {
            serviceLogin(e, user: u, baseline: b)
            return
        }
        var points = 0.0
        var reasons: [String] = []
        let s = e.sourceIP
        if let s {
            if b.sources[s] == nil {
                points += 1
                let net = networkPrefix(s)
                let colleagues = model?.networks[net] ?? 0
                if b.networks[net] != nil {
                    reasons.append("\(s) is a new address for \(u), in a network they have used")
                } else if colleagues >= 3 {
                    points += 0.25
                    reasons.append("\(s) is a new address for \(u), in a network \(colleagues) colleagues use")
                } else {
                    points += 1.5
                    reasons.append("\(s) is a new address from a network neither \(u) nor their colleagues have used (usually \(Detector.top(b.sources)))")
                }
                // An address that has been guessing passwords lately (too long ago, or too
                // little, for success after failures) now has a working one.
                let guessed = sources[HashedName(s)]?.recentFailures(since: t - micros(config.slowWindow)) ?? 0
                if guessed >= 3 {
                    points += 1.5
                    reasons.append("\(s) failed \(Int(guessed.rounded())) logins in the \(Int(config.slowWindow / 3600)) hours before")
                }
            }
        }
        let distance = Detector.hoursFromUsual(b, hour)
        if distance >= 3 {
            points += 1
            reasons.append(String(format: "%02d:00 UTC is %d hours away from %@'s usual hours (%@)", hour, distance, u, Detector.usualHours(b)))
        }
        if let h = e.host, b.hosts[h] == nil, !b.hosts.isEmpty {
            points += 0.5
            reasons.append("first login to \(h) (usually \(Detector.top(b.hosts)))")
        }
        if let m = e.authMethod, m.hasPrefix("password") || m.hasPrefix("keyboard"), b.methodShare("publickey") >= 0.9 {
            points += 1
            reasons.append("password login for an account that uses keys (\(Int(b.methodShare("publickey") * 100))% of logins)")
        }
        if weekend, b.weekendEvents == 0, b.activeDays >= 5 {
            points += 0.5
            reasons.append("a weekend login; \(u) has not worked weekends")
        }
        guard points >= config.takeoverWatchNovelty else { return }
        // Repeated logins from the same new place join the incident already open for it.
        let key = "account_takeover|" + u + "|" + (s ?? "-")
        if book.isOpen(key) {
            book.annotate(key, event: e) { inc in inc.anomaly.details["logins"] = .int(Int64(inc.anomaly.eventCount)) }
            users[u]?.lastActivity = t
            return
        }
        var w = UserState.Watch(start: t, points: points, reasons: reasons, source: s, host: e.host, incidentKey: nil, kind: .accountTakeover)
        // With a thin history (under three days) novelty alone proves little: wait for what
        // the account does next.
        let thin = b.activeDays < 3
        if points >= config.takeoverMinNovelty, !thin {
            w.incidentKey = key
            book.record(key, kind: .accountTakeover, event: e, gap: micros(86_400), user: u, source: s) { inc in
                inc.points = points
                inc.notes = reasons
                Detector.scoreTakeover(&inc, user: u, config: config)
            }
        }
        users[u, default: UserState()].watch = w
        users[u]?.lastActivity = t
    }

    static func scoreTakeover(_ inc: inout IncidentBook.Incident, user u: String, config c: DetectionConfig) {
        let base = 45 + 10 * (inc.points - c.takeoverMinNovelty)
        inc.anomaly.score = min(97, max(40, base) + 15 * Double(inc.followUps))
        inc.anomaly.reasons = ["\(u) logged in in a way their history has never shown (\(String(format: "%.1f", inc.points)) novelty points; \(c.takeoverMinNovelty) needed)"] + inc.notes
        inc.anomaly.details["novelty_points"] = .double(inc.points)
        inc.anomaly.details["follow_ups"] = .int(Int64(inc.followUps))
    }

    /// A service account logging in: anything but its usual key from its usual place is misuse.
    mutating func serviceLogin(_ e: LogEvent, user u: String, baseline b: UserBaseline) {
        var points = 0.0
        var reasons: [String] = []
        if let m = e.authMethod, !(m == "publickey" || m.hasPrefix("hostbased")), b.methodShare("publickey") >= 0.9 {
            points += 1
            reasons.append("\(m) login to service account \(u), which logs in with keys (\(Int(b.methodShare("publickey") * 100))% of logins)")
        }
        if let s = e.sourceIP, b.sources[s] == nil {
            points += 1
            reasons.append("\(s) is not one of \(u)'s sources (\(Detector.top(b.sources)))")
            if b.networks[networkPrefix(s)] == nil { points += 0.5 }
        }
        if let h = e.host, b.hosts[h] == nil {
            points += 0.5
            reasons.append("\(u) has not been used on \(h) before")
        }
        let t = e.timestamp.microseconds
        var w = UserState.Watch(start: t, points: points, reasons: reasons, source: e.sourceIP, host: e.host, incidentKey: nil, kind: .serviceAccountMisuse)
        if points >= config.serviceMinScore {
            let key = "service_account_misuse|" + u + "|" + String(t)
            w.incidentKey = key
            book.record(key, kind: .serviceAccountMisuse, event: e, gap: micros(config.takeoverWatch), user: u, source: e.sourceIP) { inc in
                inc.points = points
                inc.notes = reasons
                Detector.scoreService(&inc, user: u, config: config)
            }
        }
        if points > 0 { users[u, default: UserState()].watch = w }
    }

    static func scoreService(_ inc: inout IncidentBook.Incident, user u: String, config c: DetectionConfig) {
        inc.anomaly.score = min(95, 62 + 10 * (inc.points - c.serviceMinScore) + 12 * Double(inc.followUps))
        inc.anomaly.reasons = ["service account \(u) was used interactively or from somewhere new (\(String(format: "%.1f", inc.points)) misuse points; \(c.serviceMinScore) needed)"] + inc.notes
        inc.anomaly.details["misuse_points"] = .double(inc.points)
    }

    /// Something an account did after a suspicious login: adds to the watched incident, or
    /// opens it when the login alone was not enough.
    mutating func followUp(_ e: LogEvent, user u: String, what: String, points: Double) {
        guard var st = users[u], var w = st.watch else { return }
        let t = e.timestamp.microseconds
        guard t - w.start <= micros(config.takeoverWatch) else {
            st.watch = nil
            users[u] = st
            return
        }
        guard !w.followUps.contains(what) else { return }
        w.followUps.append(what)
        w.points += points
        if let key = w.incidentKey, book.isOpen(key) {
            book.annotate(key, event: e) { inc in
                inc.followUps += 1
                inc.notes.append("then: " + what)
                switch inc.anomaly.kind {
                case .accountTakeover: Detector.scoreTakeover(&inc, user: u, config: config)
                case .serviceAccountMisuse: Detector.scoreService(&inc, user: u, config: config)
                default:
                    inc.anomaly.score = min(97, inc.anomaly.score + 5)
                    inc.anomaly.reasons.append("then: " + what)
                }
            }
        } else if w.kind == .accountTakeover, w.points >= config.takeoverMinNovelty || (w.points >= config.takeoverWatchNovelty + 1 && w.followUps.count >= 1) {
            let key = "account_takeover|" + u + "|" + (w.source ?? "-")
            w.incidentKey = key
            let reasons = w.reasons, total = w.points - points
            book.record(key, kind: .accountTakeover, event: e, gap: micros(86_400), user: u, source: w.source) { inc in
                inc.anomaly.start = Timestamp(microseconds: w.start)
                inc.points = max(total, config.takeoverMinNovelty)
                inc.followUps = 1
                inc.notes = reasons + ["then: " + what]
                Detector.scoreTakeover(&inc, user: u, config: config)
            }
        } else if w.kind == .serviceAccountMisuse, w.points >= config.serviceMinScore {
            let key = "service_account_misuse|" + u + "|" + String(w.start)
            w.incidentKey = key
            let reasons = w.reasons
            book.record(key, kind: .serviceAccountMisuse, event: e, gap: micros(config.takeoverWatch), user: u, source: w.source) { inc in
                inc.anomaly.start = Timestamp(microseconds: w.start)
                inc.points = w.points - points
                inc.followUps = 1
                inc.notes = reasons + ["then: " + what]
                Detector.scoreService(&inc, user: u, config: config)
            }
        }
        st.watch = w
        users[u] = st
    }

    /// sudo and su: failures, refusals and first-time use.
    mutating func privilege(_ e: LogEvent, user u: String) {
        let t = e.timestamp.microseconds
        var st = users.removeValue(forKey: u) ?? UserState() // out of the table while changed: no copy of its arrays
        st.lastActivity = t
        // Signals within the window around this one (out-of-order input may bring later ones;
        // one from another timeline, more than a window ahead, does not count), at most a few
        // hundred: a flood of refusals costs the same per line as a few.
        let window = micros(config.privilegeWindow)
        st.privilege.removeAll { $0.time < t - window || $0.time > t + window }
        if st.privilege.count >= UserState.maxSignals { st.privilege.removeFirst(st.privilege.count - UserState.maxSignals + 1) }
        let b = baseline(u)
        var signal: (Double, String, String)?
        let target = e.targetUser ?? "root"
        if e.outcome == .failure {
            switch e.action {
            case "not_in_sudoers": signal = (2, "sudo refused: \(u) is not in sudoers" + (e.command.map { " (\($0))" } ?? ""), "nis")
            case "incorrect_password": signal = (1, "sudo failed: incorrect password attempts" + (e.command.map { " (\($0))" } ?? ""), "sudo_fail")
            case "pam_auth_failure" where e.eventType == .sudo: signal = (0.5, "a wrong password for sudo", "sudo_pam")
            case "pam_auth_failure" where e.eventType == .su: signal = (0.5, "a wrong password for su to \(target)", "su_pam")
            case "su_failed": signal = (1, "su to \(target) failed", "su_fail")
            default: signal = (1, "\(e.eventType.rawValue) refused (\(e.action ?? "failure"))", "other_fail")
            }
            // PAM's line and the program's own for one failure count once.
            if let s = signal, let last = st.privilege.last, t - last.time <= micros(10),
               (s.2 == "su_fail" && last.kind == "su_pam") || (s.2 == "sudo_fail" && last.kind == "sudo_pam") {
                st.privilege.removeLast()
            }
        } else if e.outcome == .success {
            // A wrong password then success within a minute is a typo.
            st.privilege.removeAll { $0.kind == "sudo_pam" && t - $0.time <= micros(60) }
            if e.eventType == .sudo, !st.firstSudoFlagged, !(b?.isServiceAccount ?? false) {
                let never = b.map { $0.sudoCount == 0 } ?? true
                if never {
                    st.firstSudoFlagged = true
                    let sensitive = Detector.isSensitive(e.command)
                    signal = (sensitive ? 2.5 : 1.5, "\(u) used sudo for the first time" + (b == nil ? " (no history for this account)" : "") + (e.command.map { ": \($0)" } ?? ""), "first_sudo")
                }
            }
        }
        users[u] = st
        // Follow-ups of a suspicious login. A lone wrong sudo password is a typo; a shell or
        // account change is routine for someone who uses sudo every day.
        let routineSudo = (b?.sudoCount ?? 0) >= 5
        if e.outcome == .failure, e.action != "pam_auth_failure" {
            followUp(e, user: u, what: "privilege refused: \(e.eventType.rawValue) \(e.action ?? "")" + (e.command.map { " \($0)" } ?? ""), points: 1.5)
        } else if e.outcome == .success, st.watch != nil, !routineSudo, Detector.isSensitive(e.command) || e.eventType == .su {
            followUp(e, user: u, what: "\(e.eventType.rawValue) \(e.command ?? "to " + target)", points: 1)
        }
        let key = "privilege_escalation|" + u
        guard let (points, what, kind) = signal else {
            if book.isOpen(key), e.outcome == .success {
                book.annotate(key, event: e) { inc in
                    if inc.notes.count < 12 { inc.notes.append("then succeeded: \(e.command ?? e.eventType.rawValue)") }
                    inc.anomaly.reasons = Detector.privilegeReasons(inc, user: u)
                }
            }
            return
        }
        users[u]?.privilege.append(.init(time: t, points: points * Double(e.repeatCount), what: what, kind: kind))
        let total = users[u]?.privilege.reduce(0) { $0 + $1.points } ?? 0
        guard total >= config.privilegeMinScore || book.isOpen(key) else { return }
        let signals = users[u]?.privilege ?? []
        let firstTime = signals.first?.time ?? t
        let sudoInBaseline = b?.sudoCount
        book.record(key, kind: .privilegeEscalation, event: e, gap: micros(config.privilegeWindow), user: u, source: e.sourceIP) { inc in
            if inc.points == 0 { inc.anomaly.start = Timestamp(microseconds: min(firstTime, t)) }
            inc.points = max(inc.points + points, total)
            if inc.notes.count < 12 { inc.notes.append(what) }
            if inc.notes.count == 1, signals.count > 1 { inc.notes = signals.map(\.what) }
            inc.anomaly.score = min(92, 50 + 10 * (inc.points - config.privilegeMinScore))
            inc.anomaly.reasons = Detector.privilegeReasons(inc, user: u)
            inc.anomaly.details["privilege_points"] = .double(inc.points)
            if let n = sudoInBaseline { inc.anomaly.details["sudo_in_baseline"] = .int(Int64(n)) }
        }
    }

    static func privilegeReasons(_ inc: IncidentBook.Incident, user u: String) -> [String] {
        ["\(u) tried to gain privileges (\(String(format: "%.1f", inc.points)) points within the window)"] + inc.notes
    }

    /// File access and other structured kinds: volume far above the user's usual.
    mutating func dataAccess(_ e: LogEvent, user u: String) {
        let t = e.timestamp.microseconds
        let kind = e.eventType.rawValue
        var st = users.removeValue(forKey: u) ?? UserState()
        st.lastActivity = t
        st.dataCounts[kind, default: SlidingCounts()].add(t, weight: Double(e.repeatCount), window: micros(config.bulkWindow))
        let c = st.dataCounts[kind] ?? SlidingCounts()
        users[u] = st
        let usual = baseline(u)?.hourlyVolume[kind]
        let global = model?.globalVolume[kind]
        let p95 = usual?.p95 ?? global?.p95 ?? 0
        let mx = usual?.max ?? 0
        let threshold = max(config.bulkMinEvents, config.bulkFactor * p95, 2 * mx)
        let n = c.total
        let key = "bulk_data_access|" + u + "|" + kind
        if n >= threshold || book.isOpen(key) {
            if !book.isOpen(key) {
                followUp(e, user: u, what: "\(Int(n)) \(kind) events within \(Int(config.bulkWindow / 60)) min", points: 1.5)
            }
            let windowStart = c.firstTime(atOrAfter: t - micros(config.bulkWindow)) ?? t
            book.record(key, kind: .bulkDataAccess, event: e, gap: micros(config.bulkWindow / 2), user: u, source: e.sourceIP) { inc in
                if inc.points == 0 {
                    inc.anomaly.start = Timestamp(microseconds: windowStart)
                    inc.anomaly.eventCount += Int(n) - 1
                    if n > 1 { inc.anomaly.evidenceTruncated = true } // the earlier events are counted, not cited
                }
                inc.points = max(inc.points, n)
                inc.anomaly.score = min(90, 58 + 12 * log2(inc.points / threshold))
                var r = ["\(u) made \(Int(inc.points)) \(kind) events within \(Int(config.bulkWindow / 60)) min; their busiest hours see \(Int(p95.rounded())) (95th percentile), at most \(Int(mx))"]
                if usual == nil { r[0] = "\(u) made \(Int(inc.points)) \(kind) events within \(Int(config.bulkWindow / 60)) min; no history for this user, users' busiest hours see \(Int(p95.rounded()))" }
                r.append("threshold: \(Int(threshold.rounded())) (the larger of \(Int(config.bulkMinEvents)), \(Int(config.bulkFactor))× the usual peak and twice the maximum)")
                inc.anomaly.reasons = r
                inc.anomaly.details["events_in_window"] = .double(inc.points)
                inc.anomaly.details["threshold"] = .double(threshold)
            }
        }
    }

    /// Isolation-forest outliers: reported only as a cluster for one account, and only as `low`.
    mutating func outliers(_ e: LogEvent, forest: CompiledForest, counts: DetectionWindows.Counts) {
        eventsScored += 1
        let facts = baselineFacts(e)
        let x = FeatureExtractor.features(e, userKnown: facts.userKnown, sourceKnown: facts.sourceKnown, hourShare: { facts.hourShare($0) },
                                          sourceFailures10m: counts.sourceFailures10m, userKindEventsLastHour: counts.userKindLastHour)
        let score = memo.score(x, forest: forest)
        let t0 = e.timestamp.microseconds
        if let u = e.user, e.outcome != .failure {
            users[u, default: UserState()].noteScored(at: t0, window: micros(config.outlierWindow))
        }
        guard score < forest.offset else { return }
        outlierEvents += 1
        // Failures belong to the source rules; the forest speaks for what accounts did, and only
        // where it can say in words what is unusual.
        guard e.outcome != .failure, !e.invalidUser, let entity = e.user else { return }
        let why = Detector.explain(x, baseline: baseline(entity))
        guard !why.isEmpty else { return }
        // Rules already speak for entities with an open incident.
        if let s = e.sourceIP, book.isOpen(IncidentBook.sourceKey(s)) { return }
        if users[entity]?.watch?.incidentKey != nil { return }
        let t = e.timestamp.microseconds
        var st = users.removeValue(forKey: entity) ?? UserState()
        st.lastActivity = t
        st.outliers.add(t, window: micros(config.outlierWindow))
        users[entity] = st
        let key = "unusual_activity|" + entity
        // A busy account always has a few outliers (the forest calls `contamination` of all
        // events outliers): only a cluster that is a good share of what it did counts.
        let rate = st.outliers.total / max(1, st.scored.total)
        guard (Int(st.outliers.total) >= config.outlierMinEvents && rate >= 0.2) || book.isOpen(key) else { return }
        let already = Int(st.outliers.total)
        let windowStart = st.outliers.firstTime(atOrAfter: t - micros(config.outlierWindow)) ?? t
        book.record(key, kind: .unusualActivity, event: e, gap: micros(config.outlierWindow), user: e.user, source: e.sourceIP) { inc in
            if inc.points == 0, already > 1 {
                inc.points = Double(already - 1)
                inc.anomaly.eventCount += already - 1
                inc.anomaly.evidenceTruncated = true // the earlier outliers are counted, not cited
                inc.anomaly.start = Timestamp(microseconds: windowStart)
            }
            inc.points += 1
            inc.anomaly.score = min(39, 20 + 4 * inc.points)
            for w in why where !inc.notes.contains(w) && inc.notes.count < 6 { inc.notes.append(w) }
            inc.anomaly.reasons = ["\(Int(inc.points)) events by \(entity) that the isolation forest finds unusual (score below the \(String(format: "%.2f", forest.contamination * 100))% contamination threshold); no rule fired"] + inc.notes
            inc.anomaly.details["outlier_events"] = .double(inc.points)
            inc.anomaly.details["lowest_forest_score"] = .double(min(inc.anomaly.details["lowest_forest_score"]?.numberValue ?? 0, score))
        }
    }

    /// Plain words for the features that stand out.
    static func explain(_ x: [Double], baseline b: UserBaseline?) -> [String] {
        var out: [String] = []
        if x[7] == 0 { out.append("an account with no history") }
        if x[7] == 1, x[8] == 0 { out.append("a source this user has never used") }
        if x[7] == 1, x[9] < 0.01 { out.append("an hour this user is rarely active") }
        if x[3] == 1 { out.append("failures") }
        if x[11] == 1 { out.append("non-existent account names") }
        if x[12] > log1p(3) { out.append("many recent failures from the same source") }
        if x[13] > log1p(30) { out.append("a burst of activity of one kind") }
        return out
    }

    /// Hours (circular) from `hour` to the nearest hour the user has been active in.
    static func hoursFromUsual(_ b: UserBaseline, _ hour: Int) -> Int {
        var best = 12
        for h in 0..<24 where b.hours[h] > 0 {
            let d = abs(h - hour)
            best = min(best, min(d, 24 - d))
        }
        return best
    }

    static func top(_ d: [String: Int], _ n: Int = 3) -> String {
        d.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(n).map(\.key).joined(separator: ", ")
    }

    /// The user's active hours as ranges, e.g. `07–18, 21`.
    static func usualHours(_ b: UserBaseline) -> String {
        let active = (0..<24).filter { b.hours[$0] > 0 }
        guard !active.isEmpty else { return "none seen" }
        var ranges: [String] = []
        var start = active[0], prev = active[0]
        for h in active.dropFirst() + [99] {
            if h == prev + 1 { prev = h; continue }
            ranges.append(start == prev ? String(format: "%02d", start) : String(format: "%02d–%02d", start, prev))
            start = h; prev = h
        }
        return ranges.joined(separator: ", ") + " UTC"
    }
}
