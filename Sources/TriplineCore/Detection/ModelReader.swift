import Foundation

/// Reads a ``TriplineModel`` from its parsed `model.json` without a general-purpose decoder.
///
/// The bulk of a model is regular: a hundred trees of five number arrays, and a baseline per
/// user, source and host. Those are read here straight from the parsed document (a 1 MB model
/// in a few milliseconds, where `JSONDecoder` took 60–70); the small, irregular parts (the
/// detection settings with their defaults, what it was trained on) still go through their
/// `Codable` conformances, re-encoded from the parsed document. The result is the model
/// `JSONDecoder` reads from the same file, field for field (test `modelReaderReadsWhatJSONDecoderReads`),
/// and a file it would reject is rejected, with the field named.
enum ModelReader {
    /// What is wrong, naming the field (`users.alice.hours[3]`).
    struct Problem: Error { var reason: String }

    /// The model in `doc` (a parsed `model.json` whose format and version were checked).
    static func model(_ doc: JSONValue) throws(Problem) -> TriplineModel {
        let top = try object(doc, "the document")
        var users: [String: UserBaseline] = [:], sources: [String: SourceBaseline] = [:], hosts: [String: HostBaseline] = [:]
        let userDocs = try object(need(top, "users", ""), "users")
        users.reserveCapacity(userDocs.count)
        for (name, u) in userDocs { users[name] = try user(u, "users.\(name)") }
        for (name, s) in try object(need(top, "sources", ""), "sources") { sources[name] = try source(s, "sources.\(name)") }
        for (name, h) in try object(need(top, "hosts", ""), "hosts") { hosts[name] = try host(h, "hosts.\(name)") }
        var global: [String: HourlyVolume] = [:]
        for (kind, v) in try object(need(top, "global_volume", ""), "global_volume") { global[kind] = try volume(v, "global_volume.\(kind)") }
        var m = TriplineModel(
            createdAt: try string(need(top, "created_at", ""), "created_at"),
            triplineVersion: try string(need(top, "tripline_version", ""), "tripline_version"),
            training: try decoded(TrainingInfo.self, need(top, "training", ""), "training"),
            config: try decoded(DetectionConfig.self, need(top, "config", ""), "config"),
            features: try array(need(top, "features", ""), "features").enumerated().map { (i, v) throws(Problem) in try string(v, "features[\(i)]") },
            forest: try top["forest"].flatMap { v throws(Problem) in v == .null ? nil : try forest(v, "forest") },
            users: users, sources: sources, hosts: hosts, globalVolume: global)
        m.format = try string(need(top, "format", ""), "format")
        m.version = try int(need(top, "version", ""), "version")
        if let n = top["networks"] { m.networks = try counts(n, "networks") }
        return m
    }

    // MARK: The regular parts

    static func user(_ v: JSONValue, _ at: String) throws(Problem) -> UserBaseline {
        let o = try object(v, at)
        var u = UserBaseline()
        u.events = try int(need(o, "events", at), at + ".events")
        u.hours = try ints(need(o, "hours", at), at + ".hours")
        u.weekendEvents = try int(need(o, "weekendEvents", at), at + ".weekendEvents")
        u.sources = try counts(need(o, "sources", at), at + ".sources")
        u.networks = try counts(need(o, "networks", at), at + ".networks")
        u.hosts = try counts(need(o, "hosts", at), at + ".hosts")
        u.methods = try counts(need(o, "methods", at), at + ".methods")
        u.eventTypes = try counts(need(o, "eventTypes", at), at + ".eventTypes")
        u.sudoCount = try int(need(o, "sudoCount", at), at + ".sudoCount")
        u.failures = try int(need(o, "failures", at), at + ".failures")
        for (kind, hv) in try object(need(o, "hourlyVolume", at), at + ".hourlyVolume") {
            u.hourlyVolume[kind] = try volume(hv, "\(at).hourlyVolume.\(kind)")
        }
        u.activeDays = try int(need(o, "activeDays", at), at + ".activeDays")
        u.isServiceAccount = try bool(need(o, "isServiceAccount", at), at + ".isServiceAccount")
        return u
    }

    static func source(_ v: JSONValue, _ at: String) throws(Problem) -> SourceBaseline {
        let o = try object(v, at)
        var s = SourceBaseline()
        s.events = try int(need(o, "events", at), at + ".events")
        s.failures = try int(need(o, "failures", at), at + ".failures")
        s.users = try counts(need(o, "users", at), at + ".users")
        return s
    }

    static func host(_ v: JSONValue, _ at: String) throws(Problem) -> HostBaseline {
        let o = try object(v, at)
        var h = HostBaseline()
        h.events = try int(need(o, "events", at), at + ".events")
        h.hours = try ints(need(o, "hours", at), at + ".hours")
        h.users = try counts(need(o, "users", at), at + ".users")
        return h
    }

    static func volume(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> HourlyVolume {
        let o = try object(v, at())
        return HourlyVolume(p95: try double(need(o, "p95", at()), at() + ".p95"), max: try double(need(o, "max", at()), at() + ".max"))
    }

    static func forest(_ v: JSONValue, _ at: String) throws(Problem) -> IsolationForest {
        let o = try object(v, at)
        var trees: [IsolationForest.Tree] = []
        for (i, t) in try array(need(o, "trees", at), at + ".trees").enumerated() {
            let here = "\(at).trees[\(i)]"
            let to = try object(t, here)
            var tree = IsolationForest.Tree()
            tree.feature = try int32s(need(to, "feature", here), here + ".feature")
            tree.threshold = try doubles(need(to, "threshold", here), here + ".threshold")
            tree.left = try int32s(need(to, "left", here), here + ".left")
            tree.right = try int32s(need(to, "right", here), here + ".right")
            tree.size = try int32s(need(to, "size", here), here + ".size")
            trees.append(tree)
        }
        return IsolationForest(trees: trees, maxSamples: try int(need(o, "maxSamples", at), at + ".maxSamples"),
                               featureCount: try int(need(o, "featureCount", at), at + ".featureCount"),
                               offset: try double(need(o, "offset", at), at + ".offset"),
                               contamination: try double(need(o, "contamination", at), at + ".contamination"))
    }

    // MARK: The irregular parts, through Codable

    static func decoded<T: Decodable>(_ type: T.Type, _ v: JSONValue, _ at: String) throws(Problem) -> T {
        var w = JSONWriter()
        w.value(v)
        do { return try JSONDecoder().decode(T.self, from: Data(w.bytes)) } catch {
            throw Problem(reason: "\(at): \(error)")
        }
    }

    // MARK: Values

    static func need(_ o: [String: JSONValue], _ key: String, _ at: @autoclosure () -> String) throws(Problem) -> JSONValue {
        guard let v = o[key] else { throw Problem(reason: "\(at().isEmpty ? "" : at() + ": ")no \"\(key)\"") }
        return v
    }

    static func object(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> [String: JSONValue] {
        guard case .object(let o) = v else { throw Problem(reason: "\(at()) is not an object") }
        return o
    }

    static func array(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> [JSONValue] {
        guard case .array(let a) = v else { throw Problem(reason: "\(at()) is not a list") }
        return a
    }

    static func string(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> String {
        guard case .string(let s) = v else { throw Problem(reason: "\(at()) is not a string") }
        return s
    }

    static func bool(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> Bool {
        guard case .bool(let b) = v else { throw Problem(reason: "\(at()) is not true or false") }
        return b
    }

    /// A whole number (written `3` or `3.0`) that fits an `Int`.
    static func int(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> Int {
        switch v {
        case .int(let i): return Int(i)
        case .double(let d) where d == d.rounded() && abs(d) < 9.2e18: return Int(d)
        default: throw Problem(reason: "\(at()) is not a whole number")
        }
    }

    static func double(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw Problem(reason: "\(at()) is not a number")
        }
    }

    static func ints(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> [Int] {
        let a = try array(v, at())
        var out: [Int] = []
        out.reserveCapacity(a.count)
        for (i, x) in a.enumerated() { out.append(try int(x, "\(at())[\(i)]")) }
        return out
    }

    static func int32s(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> [Int32] {
        let a = try array(v, at())
        var out: [Int32] = []
        out.reserveCapacity(a.count)
        for (i, x) in a.enumerated() {
            guard let n = Int32(exactly: try int(x, "\(at())[\(i)]")) else { throw Problem(reason: "\(at())[\(i)] is out of range") }
            out.append(n)
        }
        return out
    }

    static func doubles(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> [Double] {
        let a = try array(v, at())
        var out: [Double] = []
        out.reserveCapacity(a.count)
        for (i, x) in a.enumerated() { out.append(try double(x, "\(at())[\(i)]")) }
        return out
    }

    static func counts(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> [String: Int] {
        let o = try object(v, at())
        var out: [String: Int] = [:]
        out.reserveCapacity(o.count)
        for (k, x) in o { out[k] = try int(x, "\(at()).\(k)") }
        return out
    }
}
