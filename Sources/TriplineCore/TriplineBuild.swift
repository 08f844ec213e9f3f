/// The version string of this build (shown by `--version` and stored in models).
public enum TriplineBuild {
    public static let version = "0.2.0"
}
