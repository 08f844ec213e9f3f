import Foundation

/// Reads a ``TriplineModel`` from `model.json` without a general-purpose decoder.
///
/// The bulk of a model is regular: a hundred trees of five number arrays, and a baseline per
/// user, source and host. Those are read here straight from the bytes into their types, with
/// no tree of parsed values in between (a 1 MB model parsed whole and then read took 30–40
/// ms, `JSONDecoder` 60–70); the small, irregular parts (the detection settings with their
/// defaults, what it was trained on) are parsed and go through their `Codable` conformances.
/// The result is the model `JSONDecoder` reads from the same file, field for field (test
/// `modelReaderReadsWhatJSONDecoderReads`), and a file it would reject is rejected, with the
/// field named.
enum ModelReader {
    /// What is wrong, naming the field (`users.alice.hours[3]`); or, with ``syntax``, that the
    /// file is not JSON at all.
    struct Problem: Error {
        var reason: String
        var syntax: JSONParser.Failure?

        init(reason: String) { self.reason = reason }
        init(syntax: JSONParser.Failure) {
            reason = "not valid JSON (\(syntax))"
            self.syntax = syntax
        }
    }

    /// Why a file is not a model this build reads, in the order they are told: not JSON, not a
    /// Tripline model, another format version, then a field that is wrong.
    enum Refusal: Error {
        case notJSON(JSONParser.Failure)
        case notAModel
        case noVersion
        case version(Int)
        case field(String)
    }

    /// The model in `bytes` (a `model.json`), read in one pass: the bulk straight into its
    /// types, the small irregular parts through their parsed values.
    static func model(_ bytes: ByteSpan) throws(Refusal) -> TriplineModel {
        var p = JSONParser(bytes)
        guard p.peek() == UInt8(ascii: "{") else {
            do { _ = try JSONParser.parse(bytes) } catch { throw .notJSON(error) }
            throw .notAModel
        }
        p.advance()
        var users: [String: UserBaseline]?, sources: [String: SourceBaseline]?, hosts: [String: HostBaseline]?
        var global: [String: HourlyVolume]?, forest: IsolationForest??
        var other: [String: JSONValue] = [:]
        // The first thing wrong with each member (a later copy of a member replaces an earlier
        // one, as in a parsed object; within a member, a field given twice is refused when the
        // first is wrong, which no model Tripline writes has).
        var problems: [String: Problem] = [:]
        var first = true
        do throws(JSONParser.Failure) {
            while let key = try p.nextKey(&first) {
                let start = p.offset
                do throws(Problem) {
                    switch key {
                    case "users": users = try map(&p, "users") { (p, at) throws(Problem) in try user(&p, at) }
                    case "sources": sources = try map(&p, "sources") { (p, at) throws(Problem) in try source(&p, at) }
                    case "hosts": hosts = try map(&p, "hosts") { (p, at) throws(Problem) in try host(&p, at) }
                    case "global_volume": global = try map(&p, "global_volume") { (p, at) throws(Problem) in try volume(&p, at) }
                    case "forest":
                        if p.peek() == UInt8(ascii: "n") {
                            forest = .some(try lex { () throws(JSONParser.Failure) in
                                guard try p.value(depth: 1) == .null else { throw p.fail("invalid literal") }
                                return nil
                            })
                        } else {
                            forest = .some(try ModelReader.forest(&p, "forest"))
                        }
                    default: other[key] = try lex { () throws(JSONParser.Failure) in try p.value(depth: 1) }
                    }
                    problems[key] = nil
                } catch {
                    if let syntax = error.syntax { throw syntax }
                    problems[key] = error
                    // Past the rest of the member, checking it all the same.
                    p = JSONParser(bytes, at: start)
                    try p.skipValue(depth: 1)
                }
            }
            p.skipWS()
            if p.offset != bytes.count { throw p.fail("unexpected text after the JSON value") }
        } catch {
            throw .notJSON(error)
        }
        guard other["format"] == .string("tripline-model") else { throw .notAModel }
        guard case .int(let v)? = other["version"] else { throw .noVersion }
        guard v == TriplineModel.formatVersion else { throw .version(Int(v)) }
        do throws(Problem) {
            // In the order the members were always checked in.
            func present<T>(_ value: T?, _ key: String) throws(Problem) -> T {
                if let problem = problems[key] { throw problem }
                guard let value else { throw Problem(reason: "no \"\(key)\"") }
                return value
            }
            let u = try present(users, "users"), s = try present(sources, "sources"), h = try present(hosts, "hosts")
            let g = try present(global, "global_volume")
            var m = TriplineModel(
                createdAt: try string(need(other, "created_at", ""), "created_at"),
                triplineVersion: try string(need(other, "tripline_version", ""), "tripline_version"),
                training: try decoded(TrainingInfo.self, need(other, "training", ""), "training"),
                config: try decoded(DetectionConfig.self, need(other, "config", ""), "config"),
                features: try array(need(other, "features", ""), "features").enumerated().map { (i, v) throws(Problem) in try string(v, "features[\(i)]") },
                forest: try { () throws(Problem) in
                    if let problem = problems["forest"] { throw problem }
                    return forest ?? nil
                }(),
                users: u, sources: s, hosts: h, globalVolume: g)
            m.format = "tripline-model"
            m.version = Int(v)
            if let n = other["networks"] { m.networks = try counts(n, "networks") }
            return m
        } catch {
            throw .field(error.reason)
        }
    }

    // MARK: The regular parts, read where they are

    /// Runs `body` (a step of the parser), its failure a ``Problem`` that says the file is not JSON.
    static func lex<T>(_ body: () throws(JSONParser.Failure) -> T) throws(Problem) -> T {
        do { return try body() } catch { throw Problem(syntax: error) }
    }

    /// An object of `read`'s values by name.
    static func map<T>(_ p: inout JSONParser, _ at: String, _ read: (inout JSONParser, String) throws(Problem) -> T) throws(Problem) -> [String: T] {
        guard p.peek() == UInt8(ascii: "{") else { throw Problem(reason: "\(at) is not an object") }
        p.advance()
        var out: [String: T] = [:]
        var first = true
        while let name = try lex({ () throws(JSONParser.Failure) in try p.nextKey(&first) }) {
            out[name] = try read(&p, at + "." + name)
        }
        return out
    }

    /// The members of an object, each handed to `member` with its key (which reads its value,
    /// or passes over one it does not know with ``skip(_:)``).
    static func members(_ p: inout JSONParser, _ at: String, _ member: (inout JSONParser, String) throws(Problem) -> Void) throws(Problem) {
        guard p.peek() == UInt8(ascii: "{") else { throw Problem(reason: "\(at) is not an object") }
        p.advance()
        var first = true
        while let key = try lex({ () throws(JSONParser.Failure) in try p.nextKey(&first) }) { try member(&p, key) }
    }

    /// Passes over a value no field of the model holds (as a decoder ignores unknown keys).
    static func skip(_ p: inout JSONParser) throws(Problem) {
        try lex { () throws(JSONParser.Failure) in try p.skipValue(depth: 2) }
    }

    /// The scalar (or whatever is there) at the parser, as a value.
    static func scalar(_ p: inout JSONParser) throws(Problem) -> JSONValue {
        try lex { () throws(JSONParser.Failure) in try p.value(depth: 2) }
    }

    /// A list of `read`'s values.
    static func list<T>(_ p: inout JSONParser, _ at: @autoclosure () -> String, _ read: (JSONValue, Int) throws(Problem) -> T) throws(Problem) -> [T] {
        guard p.peek() == UInt8(ascii: "[") else { throw Problem(reason: "\(at()) is not a list") }
        p.advance()
        var out: [T] = []
        var first = true
        while try lex({ () throws(JSONParser.Failure) in try p.nextElement(&first) }) {
            out.append(try read(try scalar(&p), out.count))
        }
        return out
    }

    static func counts(_ p: inout JSONParser, _ at: @autoclosure () -> String) throws(Problem) -> [String: Int] {
        guard p.peek() == UInt8(ascii: "{") else { throw Problem(reason: "\(at()) is not an object") }
        p.advance()
        var out: [String: Int] = [:]
        var first = true
        while let k = try lex({ () throws(JSONParser.Failure) in try p.nextKey(&first) }) {
            out[k] = try int(try scalar(&p), "\(at()).\(k)")
        }
        return out
    }

    static func user(_ p: inout JSONParser, _ at: String) throws(Problem) -> UserBaseline {
        var u = UserBaseline()
        var seen: UInt32 = 0
        try members(&p, at) { (p, key) throws(Problem) in
            let here = { at + "." + key }
            switch key {
            case "events": u.events = try int(try scalar(&p), here()); seen |= 1 << 0
            case "hours": u.hours = try list(&p, here()) { (v, i) throws(Problem) in try int(v, "\(here())[\(i)]") }; seen |= 1 << 1
            case "weekendEvents": u.weekendEvents = try int(try scalar(&p), here()); seen |= 1 << 2
            case "sources": u.sources = try counts(&p, here()); seen |= 1 << 3
            case "networks": u.networks = try counts(&p, here()); seen |= 1 << 4
            case "hosts": u.hosts = try counts(&p, here()); seen |= 1 << 5
            case "methods": u.methods = try counts(&p, here()); seen |= 1 << 6
            case "eventTypes": u.eventTypes = try counts(&p, here()); seen |= 1 << 7
            case "sudoCount": u.sudoCount = try int(try scalar(&p), here()); seen |= 1 << 8
            case "failures": u.failures = try int(try scalar(&p), here()); seen |= 1 << 9
            case "hourlyVolume": u.hourlyVolume = try map(&p, here()) { (p, at) throws(Problem) in try volume(&p, at) }; seen |= 1 << 10
            case "activeDays": u.activeDays = try int(try scalar(&p), here()); seen |= 1 << 11
            case "isServiceAccount": u.isServiceAccount = try bool(try scalar(&p), here()); seen |= 1 << 12
            default: try skip(&p)
            }
        }
        try require(seen, ["events", "hours", "weekendEvents", "sources", "networks", "hosts", "methods", "eventTypes",
                           "sudoCount", "failures", "hourlyVolume", "activeDays", "isServiceAccount"], at)
        return u
    }

    static func source(_ p: inout JSONParser, _ at: String) throws(Problem) -> SourceBaseline {
        var s = SourceBaseline()
        var seen: UInt32 = 0
        try members(&p, at) { (p, key) throws(Problem) in
            switch key {
            case "events": s.events = try int(try scalar(&p), at + ".events"); seen |= 1 << 0
            case "failures": s.failures = try int(try scalar(&p), at + ".failures"); seen |= 1 << 1
            case "users": s.users = try counts(&p, at + ".users"); seen |= 1 << 2
            default: try skip(&p)
            }
        }
        try require(seen, ["events", "failures", "users"], at)
        return s
    }

    static func host(_ p: inout JSONParser, _ at: String) throws(Problem) -> HostBaseline {
        var h = HostBaseline()
        var seen: UInt32 = 0
        try members(&p, at) { (p, key) throws(Problem) in
            switch key {
            case "events": h.events = try int(try scalar(&p), at + ".events"); seen |= 1 << 0
            case "hours": h.hours = try list(&p, at + ".hours") { (v, i) throws(Problem) in try int(v, "\(at).hours[\(i)]") }; seen |= 1 << 1
            case "users": h.users = try counts(&p, at + ".users"); seen |= 1 << 2
            default: try skip(&p)
            }
        }
        try require(seen, ["events", "hours", "users"], at)
        return h
    }

    static func volume(_ p: inout JSONParser, _ at: String) throws(Problem) -> HourlyVolume {
        var p95: Double?, most: Double?
        try members(&p, at) { (p, key) throws(Problem) in
            switch key {
            case "p95": p95 = try double(try scalar(&p), at + ".p95")
            case "max": most = try double(try scalar(&p), at + ".max")
            default: try skip(&p)
            }
        }
        guard let p95 else { throw Problem(reason: "\(at): no \"p95\"") }
        guard let most else { throw Problem(reason: "\(at): no \"max\"") }
        return HourlyVolume(p95: p95, max: most)
    }

    static func forest(_ p: inout JSONParser, _ at: String) throws(Problem) -> IsolationForest {
        var trees: [IsolationForest.Tree]?, maxSamples: Int?, featureCount: Int?, offset: Double?, contamination: Double?
        try members(&p, at) { (p, key) throws(Problem) in
            switch key {
            case "trees":
                guard p.peek() == UInt8(ascii: "[") else { throw Problem(reason: "\(at).trees is not a list") }
                p.advance()
                var all: [IsolationForest.Tree] = []
                var first = true
                while try lex({ () throws(JSONParser.Failure) in try p.nextElement(&first) }) {
                    all.append(try tree(&p, "\(at).trees[\(all.count)]"))
                }
                trees = all
            case "maxSamples": maxSamples = try int(try scalar(&p), at + ".maxSamples")
            case "featureCount": featureCount = try int(try scalar(&p), at + ".featureCount")
            case "offset": offset = try double(try scalar(&p), at + ".offset")
            case "contamination": contamination = try double(try scalar(&p), at + ".contamination")
            default: try skip(&p)
            }
        }
        func got<T>(_ v: T?, _ key: String) throws(Problem) -> T {
            guard let v else { throw Problem(reason: "\(at): no \"\(key)\"") }
            return v
        }
        return IsolationForest(trees: try got(trees, "trees"), maxSamples: try got(maxSamples, "maxSamples"),
                               featureCount: try got(featureCount, "featureCount"), offset: try got(offset, "offset"),
                               contamination: try got(contamination, "contamination"))
    }

    static func tree(_ p: inout JSONParser, _ here: String) throws(Problem) -> IsolationForest.Tree {
        var tree = IsolationForest.Tree()
        var seen: UInt32 = 0
        func int32s(_ p: inout JSONParser, _ field: String) throws(Problem) -> [Int32] {
            try list(&p, here + "." + field) { (v, i) throws(Problem) in
                guard let n = Int32(exactly: try int(v, "\(here).\(field)[\(i)]")) else {
                    throw Problem(reason: "\(here).\(field)[\(i)] is out of range")
                }
                return n
            }
        }
        try members(&p, here) { (p, key) throws(Problem) in
            switch key {
            case "feature": tree.feature = try int32s(&p, key); seen |= 1 << 0
            case "threshold":
                tree.threshold = try list(&p, here + ".threshold") { (v, i) throws(Problem) in try double(v, "\(here).threshold[\(i)]") }
                seen |= 1 << 1
            case "left": tree.left = try int32s(&p, key); seen |= 1 << 2
            case "right": tree.right = try int32s(&p, key); seen |= 1 << 3
            case "size": tree.size = try int32s(&p, key); seen |= 1 << 4
            default: try skip(&p)
            }
        }
        try require(seen, ["feature", "threshold", "left", "right", "size"], here)
        return tree
    }

    /// The first of `keys` whose bit (by its place in `keys`) is not set in `seen`, as a problem.
    static func require(_ seen: UInt32, _ keys: [String], _ at: String) throws(Problem) {
        for (i, k) in keys.enumerated() where seen & (1 << i) == 0 { throw Problem(reason: "\(at): no \"\(k)\"") }
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

    static func counts(_ v: JSONValue, _ at: @autoclosure () -> String) throws(Problem) -> [String: Int] {
        let o = try object(v, at())
        var out: [String: Int] = [:]
        out.reserveCapacity(o.count)
        for (k, x) in o { out[k] = try int(x, "\(at()).\(k)") }
        return out
    }
}
