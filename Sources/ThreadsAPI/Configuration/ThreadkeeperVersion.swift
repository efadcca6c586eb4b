/// The version of this build: what `--version` of `threadkeeper` and `threadkeeper-emulator`
/// prints, and the user agent `threadkeeper/VERSION` it sends unless the config names another.
///
/// Here because the client is the lowest module both executables use that speaks for the product.
public enum ThreadkeeperVersion {
    public static let current = "0.1.0"
}
