using System.Diagnostics;

namespace AgentBay.Lite.Emulator.Tests.Safety;

/// <summary>Runs a program to its end and returns its exit code and output.</summary>
internal static class ProgramRun
{
    /// <summary>The emulator executable built beside the tests.</summary>
    public static string EmulatorDll => Path.Combine(AppContext.BaseDirectory, "AgentBay.Lite.Emulator.dll");

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
