namespace AgentBay.Lite.DocsTests;

/// <summary>The repository the tests run in.</summary>
internal static class Repository
{
    /// <summary>The folder that holds <c>AgentBay.Lite.sln</c>, found upwards from the test binaries.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentBay.Lite.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgentBay.Lite.sln not found above " + AppContext.BaseDirectory);
    }
}
