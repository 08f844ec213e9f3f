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
        w.key("config")
        w.bytes.append(contentsOf: try encoded(m.config, "config"))
        w.raw(",")
        w.key("created_at")
        string(m.createdAt, &w)
        w.raw(",")
        w.key("features")
        w.raw("[")
        for (i, f) in m.features.enumerated() {
            if i > 0 { w.raw(",") }
            string(f, &w)
        }
        w.raw("]")
        if let forest = m.forest {
            w.raw(",")
            w.key("forest")
            write(forest, &w, &bad)
        }
        w.raw(",")
        w.key("format")
        string(m.format, &w)
        w.raw(",")
        w.key("global_volume")
        object(m.globalVolume, &w) { v, w in volume(v, &w, &bad, "global_volume") }
        w.raw(",")
        w.key("hosts")
        object(m.hosts, &w) { h, w in
            w.raw("{")
            w.key("events")
            w.int(h.events)
            w.raw(",")
            w.key("hours")
            ints(h.hours, &w)
            w.raw(",")
            w.key("users")
            counts(h.users, &w)
            w.raw("}")
        }
        w.raw(",")
        w.key("networks")
        counts(m.networks, &w)
        w.raw(",")
        w.key("sources")
        object(m.sources, &w) { s, w in
            w.raw("{")
            w.key("events")
            w.int(s.events)
            w.raw(",")
            w.key("failures")
            w.int(s.failures)
            w.raw(",")
            w.key("users")
            counts(s.users, &w)
            w.raw("}")
        }
        w.raw(",")
        w.key("training")
        w.bytes.append(contentsOf: try encoded(m.training, "training"))
        w.raw(",")
        w.key("tripline_version")
        string(m.triplineVersion, &w)
        w.raw(",")
        w.key("users")
        object(m.users, &w) { u, w in user(u, &w, &bad) }
        w.raw(",")
        w.key("version")
        w.int(m.version)
        w.raw("}")
        if let bad { throw Unwritable(reason: "\(bad) is not a finite number") }
        return w.bytes
    }

    static func user(_ u: UserBaseline, _ w: inout JSONWriter, _ bad: inout String?) {
        w.raw("{")
        w.key("activeDays")
        w.int(u.activeDays)
        w.raw(",")
        w.key("eventTypes")
        counts(u.eventTypes, &w)
        w.raw(",")
        w.key("events")
        w.int(u.events)
        w.raw(",")
        w.key("failures")
        w.int(u.failures)
        w.raw(",")
        w.key("hosts")
        counts(u.hosts, &w)
        w.raw(",")
        w.key("hourlyVolume")
        object(u.hourlyVolume, &w) { v, w in volume(v, &w, &bad, "a user's hourlyVolume") }
        w.raw(",")
        w.key("hours")
        ints(u.hours, &w)
        w.raw(",")
        w.key("isServiceAccount")
        w.bool(u.isServiceAccount)
        w.raw(",")
        w.key("methods")
        counts(u.methods, &w)
        w.raw(",")
        w.key("networks")
        counts(u.networks, &w)
        w.raw(",")
        w.key("sources")
        counts(u.sources, &w)
        w.raw(",")
        w.key("sudoCount")
        w.int(u.sudoCount)
        w.raw(",")
        w.key("weekendEvents")
        w.int(u.weekendEvents)
        w.raw("}")
    }

    static func write(_ f: IsolationForest, _ w: inout JSONWriter, _ bad: inout String?) {
        w.raw("{")
        w.key("contamination")
        number(f.contamination, &w, &bad, "forest.contamination")
        w.raw(",")
        w.key("featureCount")
        w.int(f.featureCount)
        w.raw(",")
        w.key("maxSamples")
        w.int(f.maxSamples)
        w.raw(",")
        w.key("offset")
        number(f.offset, &w, &bad, "forest.offset")
        w.raw(",")
        w.key("trees")
        w.raw("[")
        for (i, t) in f.trees.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{")
            w.key("feature")
            ints(t.feature, &w)
            w.raw(",")
            w.key("left")
            ints(t.left, &w)
            w.raw(",")
            w.key("right")
            ints(t.right, &w)
            w.raw(",")
            w.key("size")
            ints(t.size, &w)
            w.raw(",")
            w.key("threshold")
            w.raw("[")
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
        w.key("max")
        number(v.max, &w, &bad, at())
        w.raw(",")
        w.key("p95")
        number(v.p95, &w, &bad, at())
        w.raw("}")
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
