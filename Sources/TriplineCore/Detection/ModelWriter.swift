import Foundation

/// Writes a ``TriplineModel`` as `model.json` without a general-purpose encoder: the
/// counterpart of ``ModelReader``.
///
/// `JSONEncoder` builds a tree of every value before it writes a byte; for a model of 100,000
/// sources that tree took over 100 MB, the peak of a whole training run, and the dashboard
/// paid it on every retrain. Here the bulk (baselines, the forest) goes straight into the
/// output, key by key; the small, irregular parts (the detection settings, what the model was
/// trained on) still go through their `Codable` conformances.
///
/// The text is `JSONEncoder`'s with `.sortedKeys`: keys in the same order, numbers written the
/// same way, `/` written `\/` as it does (test `modelWriterWritesWhatJSONEncoderWrites`).
/// Names are otherwise escaped as ``JSONWriter`` escapes them, which differs from `JSONEncoder`
/// only for the characters that could drive a terminal (escaped here): any JSON reader reads
/// the same names.
enum ModelWriter {
    /// Why a model cannot be written: a number JSON cannot hold (NaN or an infinity), named by
    /// where it is.
    struct Unwritable: Error {
        var reason: String
    }

    /// The text of `model.json` for `m`.
    static func bytes(_ m: TriplineModel) throws(Unwritable) -> [UInt8] {
        var w = JSONWriter()
        var bad: String?
        // Keys in the order `JSONEncoder`'s `.sortedKeys` puts them.
        w.raw("{")
        member("config", &w, first: true); w.bytes.append(contentsOf: try encoded(m.config, "config"))
        member("created_at", &w); string(m.createdAt, &w)
        member("features", &w); w.raw("[")
        for (i, f) in m.features.enumerated() {
            if i > 0 { w.raw(",") }
            string(f, &w)
        }
        w.raw("]")
        if let forest = m.forest {
            member("forest", &w); write(forest, &w, &bad)
        }
        member("format", &w); string(m.format, &w)
        member("global_volume", &w); object(m.globalVolume, &w) { v, w in volume(v, &w, &bad, "global_volume") }
        member("hosts", &w); object(m.hosts, &w) { h, w in
            w.raw("{")
            member("events", &w, first: true); w.int(h.events)
            member("hours", &w); ints(h.hours, &w)
            member("users", &w); counts(h.users, &w)
            w.raw("}")
        }
        member("networks", &w); counts(m.networks, &w)
        member("sources", &w); object(m.sources, &w) { s, w in
            w.raw("{")
            member("events", &w, first: true); w.int(s.events)
            member("failures", &w); w.int(s.failures)
            member("users", &w); counts(s.users, &w)
            w.raw("}")
        }
        member("training", &w); w.bytes.append(contentsOf: try encoded(m.training, "training"))
        member("tripline_version", &w); string(m.triplineVersion, &w)
        member("users", &w); object(m.users, &w) { u, w in user(u, &w, &bad) }
        member("version", &w); w.int(m.version)
        w.raw("}")
        if let bad { throw Unwritable(reason: "\(bad) is not a finite number") }
        return w.bytes
    }

    static func user(_ u: UserBaseline, _ w: inout JSONWriter, _ bad: inout String?) {
        w.raw("{")
        member("activeDays", &w, first: true); w.int(u.activeDays)
        member("eventTypes", &w); counts(u.eventTypes, &w)
        member("events", &w); w.int(u.events)
        member("failures", &w); w.int(u.failures)
        member("hosts", &w); counts(u.hosts, &w)
        member("hourlyVolume", &w); object(u.hourlyVolume, &w) { v, w in volume(v, &w, &bad, "a user's hourlyVolume") }
        member("hours", &w); ints(u.hours, &w)
        member("isServiceAccount", &w); w.bool(u.isServiceAccount)
        member("methods", &w); counts(u.methods, &w)
        member("networks", &w); counts(u.networks, &w)
        member("sources", &w); counts(u.sources, &w)
        member("sudoCount", &w); w.int(u.sudoCount)
        member("weekendEvents", &w); w.int(u.weekendEvents)
        w.raw("}")
    }

    static func write(_ f: IsolationForest, _ w: inout JSONWriter, _ bad: inout String?) {
        w.raw("{")
        member("contamination", &w, first: true); number(f.contamination, &w, &bad, "forest.contamination")
        member("featureCount", &w); w.int(f.featureCount)
        member("maxSamples", &w); w.int(f.maxSamples)
        member("offset", &w); number(f.offset, &w, &bad, "forest.offset")
        member("trees", &w); w.raw("[")
        for (i, t) in f.trees.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            member("feature", &w, first: true); ints(t.feature, &w)
            member("left", &w); ints(t.left, &w)
            member("right", &w); ints(t.right, &w)
            member("size", &w); ints(t.size, &w)
            member("threshold", &w); w.raw("[")
            for (j, x) in t.threshold.enumerated() {
                if j > 0 { w.raw(",") }
                number(x, &w, &bad, "forest.trees[\(i)].threshold")
            }
            w.raw("]")
            w.raw("}")
        }
        w.raw("]")
        w.raw("}")
    }

    static func volume(_ v: HourlyVolume, _ w: inout JSONWriter, _ bad: inout String?, _ at: @autoclosure () -> String) {
        w.raw("{")
        member("max", &w, first: true); number(v.max, &w, &bad, at())
        member("p95", &w); number(v.p95, &w, &bad, at())
        w.raw("}")
    }

    /// `"key":`, after a comma unless it is the object's first member.
    static func member(_ k: StaticString, _ w: inout JSONWriter, first: Bool = false) {
        if !first { w.raw(",") }
        w.key(k)
    }

    /// An object of `value`'s texts, keys sorted as `JSONEncoder` sorts them (`String`'s order).
    static func object<V>(_ d: [String: V], _ w: inout JSONWriter, _ value: (V, inout JSONWriter) -> Void) {
        w.raw("{")
        for (i, k) in d.keys.sorted().enumerated() {
            if i > 0 { w.raw(",") }
            string(k, &w)
            w.raw(":")
            if let v = d[k] { value(v, &w) }
        }
        w.raw("}")
    }

    /// A string as ``JSONWriter`` writes it, with `/` written `\/` as `JSONEncoder` does (a
    /// network is `10.20.0.0/16`). A `/` in the written text is never part of an escape.
    static func string(_ s: String, _ w: inout JSONWriter) {
        let start = w.bytes.count
        w.string(s)
        guard s.utf8.contains(UInt8(ascii: "/")) else { return }
        var out: [UInt8] = []
        out.reserveCapacity(w.bytes.count - start + 8)
        for b in w.bytes[start...] {
            if b == UInt8(ascii: "/") { out.append(UInt8(ascii: "\\")) }
            out.append(b)
        }
        w.bytes.replaceSubrange(start..., with: out)
    }

    static func counts(_ d: [String: Int], _ w: inout JSONWriter) {
        object(d, &w) { n, w in w.int(n) }
    }

    static func ints<I: BinaryInteger>(_ a: [I], _ w: inout JSONWriter) {
        w.raw("[")
        for (i, x) in a.enumerated() {
            if i > 0 { w.raw(",") }
            w.int(x)
        }
        w.raw("]")
    }

    /// A number as `JSONEncoder` writes it: Swift's shortest text that reads back the same,
    /// without a trailing `.0` (`3`, `0.25`, `1e+16`, `-0`). A number JSON cannot hold is
    /// written as `null` and named in `bad` (the first one), which fails the save.
    static func number(_ v: Double, _ w: inout JSONWriter, _ bad: inout String?, _ at: @autoclosure () -> String) {
        guard v.isFinite else {
            if bad == nil { bad = at() }
            w.raw("null")
            return
        }
        let s = v.description
        if s.hasSuffix(".0") {
            w.bytes.append(contentsOf: s.utf8.dropLast(2))
        } else {
            w.bytes.append(contentsOf: s.utf8)
        }
    }

    /// A small part through its `Codable` conformance, as `JSONEncoder` with `.sortedKeys`
    /// writes it (these hold a few dozen values).
    static func encoded(_ v: some Encodable, _ at: String) throws(Unwritable) -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        do { return [UInt8](try enc.encode(v)) } catch { throw Unwritable(reason: "\(at): \(error)") }
    }
}
