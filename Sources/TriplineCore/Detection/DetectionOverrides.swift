/// Detection settings a config file sets (`[detection]` in `tripline.toml`), kept apart from
/// the model so they can be laid over whichever model is in use: the one loaded at start-up, a
/// reloaded one (`POST /model/reload`, a batch run after `tripline train`) or a retrained one (the
/// dashboard's `R`). Keys and values were checked when the file was read.
public struct DetectionOverrides: Sendable, Hashable {
    /// Setting name (as in the config file) → value.
    public var values: [String: Double]

    /// Overrides from checked settings; no overrides when empty.
    public init(_ values: [String: Double] = [:]) { self.values = values }

    /// True when nothing is overridden.
    public var isEmpty: Bool { values.isEmpty }

    /// `base` (a model's thresholds, or the defaults) with these settings laid over it.
    public func apply(to base: DetectionConfig) -> DetectionConfig {
        var c = base
        for (k, v) in values { try? c.set(k, to: v) }
        return c
    }

    /// The thresholds to detect with under `model`: its own, or the defaults without one, with
    /// these settings laid over them.
    public func config(for model: TriplineModel?) -> DetectionConfig {
        apply(to: model?.config ?? DetectionConfig())
    }
}
