namespace AgentBay.Lite;

/// <summary>How <see cref="SessionFiles.WriteAsync(string, string, FileWriteMode, CancellationToken)"/> treats an existing file.</summary>
public enum FileWriteMode
{
    /// <summary>Replace the file's content (create the file if needed).</summary>
    Overwrite = 0,

    /// <summary>Add to the end of the file (create the file if needed).</summary>
    Append = 1,
}
