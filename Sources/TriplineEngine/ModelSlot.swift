import Foundation
import TriplineCore

/// The model a face detects with: loaded from the model folder with the reason kept when it
/// cannot be (missing, damaged, another version), reloadable, replaced by a retrained one, and
/// with the config file's detection settings laid over whichever model is current. The
/// dashboard, serve and MCP each hold one (batch and analyze load once, the same way).
public struct ModelSlot: Sendable {
    /// Where `model.json` is read from.
    public let directory: String
    /// Detection settings a config file lays over whichever model is in use.
    public let overrides: DetectionOverrides
    /// The model in use, if any.
    public private(set) var model: TriplineModel?
    /// The model's forest, compiled once per model.
    public private(set) var compiled: CompiledForest?
    /// The thresholds in use: the model's (or the defaults) with the overrides laid over them.
    public private(set) var config: DetectionConfig
    /// When the model in use was loaded or installed.
    public private(set) var loadedAt: Date?
    /// Why there is no model in use (nil while there is one): what the folder held and what to do.
    public private(set) var problem: ModelError?

    /// An empty slot over `directory`; call ``reload()`` to load.
    public init(directory: String, overrides: DetectionOverrides = DetectionOverrides()) {
        self.directory = directory
        self.overrides = overrides
        self.config = overrides.config(for: nil)
    }

    /// (Re)loads `model.json`. On failure the model in use (if any) stays; with none in use,
    /// ``problem`` says why.
    @discardableResult
    public mutating func reload() throws(ModelError) -> TriplineModel {
        do {
            let m = try TriplineModel.load(from: directory)
            install(m)
            return m
        } catch {
            failed(error)
            throw error
        }
    }

    /// Notes that loading failed: with no model in use, `error` is why there is none.
    public mutating func failed(_ error: ModelError) {
        if model == nil { problem = error }
    }

    /// Puts `model` in use (a retrained one, or one just loaded).
    public mutating func install(_ model: TriplineModel) {
        self.model = model
        compiled = model.forest.map(CompiledForest.init)
        config = overrides.config(for: model)
        loadedAt = Date()
        problem = nil
    }

    /// Whether the folder's model is damaged or unusable (as opposed to not trained yet).
    public var isDamaged: Bool {
        switch problem {
        case .none, .missing: return false
        default: return true
        }
    }
}
