namespace AgentBay.Lite;

/// <summary>
/// Writes and reads text files in a session (the service's <c>write_file</c>, <c>get_file_info</c> and
/// <c>read_file</c> tools). Get it from <see cref="AgentBaySession.Files"/>.
/// </summary>
/// <remarks>
/// The service limits how much one tool call may carry, so content larger than <see cref="ChunkSize"/> bytes (UTF-8)
/// is written in several calls, the first with the requested mode and the rest appending, and large files are read in
/// several calls. A chunked write is not atomic: if a later chunk fails, the file holds the chunks written before it.
/// Its members are virtual and it has a protected constructor, so a test can substitute it.
/// </remarks>
public class SessionFiles
{
    /// <summary>The most content, in UTF-8 bytes, one write or read call carries: 50 KiB, as in the official SDKs.</summary>
    public const int ChunkSize = 50 * 1024;

    /// <summary>
    /// The largest file <see cref="ReadAsync"/> reads: 64 MiB. The size comes from the service; a larger one is refused
    /// before anything is read, so a wrong or hostile answer cannot make the SDK allocate or loop without bound.
    /// </summary>
    public const long MaxReadSize = 64 * 1024 * 1024;

    private readonly Tools.ToolService? _tools;
    private readonly Tools.ToolTarget _target = Tools.ToolTarget.None;

    /// <summary>For substitutes in tests; a substitute's calls do nothing unless set up.</summary>
    protected SessionFiles()
    {
    }

    internal SessionFiles(Tools.ToolService? tools, Tools.ToolTarget target)
    {
        _tools = tools;
        _target = target;
    }

    /// <summary>Writes text to a file in the session, creating it if needed.</summary>
    /// <param name="path">The file's absolute path in the session, e.g. <c>/tmp/index.html</c>.</param>
    /// <param name="content">The text to write (UTF-8); may be empty.</param>
    /// <param name="mode">Replace the file's content (default) or append to it.</param>
    /// <param name="cancellationToken">Cancels the call; chunks already written stay written.</param>
    /// <returns>A task that completes when every chunk is written.</returns>
    /// <exception cref="ArgumentException">The path is blank, the content is null or the mode is not defined.</exception>
    /// <exception cref="AgentBayException">The service or the tool failed (e.g. permission denied).</exception>
    public virtual Task WriteAsync(string path, string content, FileWriteMode mode = FileWriteMode.Overwrite, CancellationToken cancellationToken = default) =>
        AgentBaySession.Connected(_tools).WriteFileAsync(_target, path, content, mode, cancellationToken);

    /// <summary>Overwrites a file with text. See <see cref="WriteAsync(string, string, FileWriteMode, CancellationToken)"/>.</summary>
    /// <param name="path">The file's absolute path in the session.</param>
    /// <param name="content">The text to write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public virtual Task WriteAsync(string path, string content, CancellationToken cancellationToken) =>
        WriteAsync(path, content, FileWriteMode.Overwrite, cancellationToken);

    /// <summary>
    /// Reads a text file (UTF-8) in the session: its size first, then its content in one call, or, above
    /// <see cref="ChunkSize"/> bytes, in parts of at most that many bytes fetched as base64 and decoded together.
    /// </summary>
    /// <param name="path">The file's absolute path in the session.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The file's content; empty for an empty file.</returns>
    /// <exception cref="ArgumentException">The path is blank.</exception>
    /// <exception cref="AgentBayException">
    /// The file does not exist, is a directory, is larger than <see cref="MaxReadSize"/>, or the service or the tool
    /// failed; <see cref="AgentBayProtocolException"/> when a part does not have the length asked for.
    /// </exception>
    public virtual Task<string> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        AgentBaySession.Connected(_tools).ReadFileAsync(_target, path, cancellationToken);
}
