import Foundation

/// A value shared between the engine and the UI thread behind a lock: the writer replaces it,
/// readers copy it out. Neither side ever waits on the other for longer than a copy.
public final class SharedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// The current value.
    public func get() -> Value {
        lock.lock(); defer { lock.unlock() }
        return value
    }

    /// Replaces the value.
    public func set(_ v: Value) {
        lock.lock(); defer { lock.unlock() }
        value = v
    }

    /// Changes the value in place.
    public func update(_ body: (inout Value) -> Void) {
        lock.lock(); defer { lock.unlock() }
        body(&value)
    }
}
