using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace AgentBay.Lite.Generators.Tests.Infrastructure;

/// <summary>
/// Compiles the RPC and REST sample interfaces with the generator (and STJ's) once, loads the result into a
/// collectible context, and offers small reflection helpers to drive the generated clients.
/// </summary>
public sealed class CompiledClients : IDisposable
{
    private readonly AssemblyLoadContext _context = new("generated-clients", isCollectible: true);

    public CompiledClients()
    {
        var (result, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(TestSources.Rpc, TestSources.Rest));
        Assert.Empty(diagnostics);
        Assert.Equal(2, result.GeneratedSources.Length);
        using var stream = new MemoryStream(GeneratorHarness.EmitClean(output));
        Assembly = _context.LoadFromStream(stream);
    }

    public Assembly Assembly { get; }

    public Type Type(string name) => Assembly.GetType(name, throwOnError: true)!;

    public object CreateClient(string className, HttpClient httpClient) =>
        Activator.CreateInstance(Type(className), httpClient)!;

    public object New(string typeName, params (string Name, object? Value)[] properties)
    {
        object instance = Activator.CreateInstance(Type(typeName))!;
        foreach (var (name, value) in properties)
        {
            instance.GetType().GetProperty(name)!.SetValue(instance, value);
        }

        return instance;
    }

    public static Task Invoke(object client, string method, params object?[] arguments)
    {
        try
        {
            return (Task)client.GetType().GetMethod(method)!.Invoke(client, arguments)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    public static async Task<object?> InvokeForResult(object client, string method, params object?[] arguments)
    {
        Task task = Invoke(client, method, arguments);
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task);
    }

    public static object? Get(object? instance, string path)
    {
        foreach (string name in path.Split('.'))
        {
            if (instance is null)
            {
                return null;
            }

            instance = instance.GetType().GetProperty(name)!.GetValue(instance);
        }

        return instance;
    }

    public void Dispose() => _context.Unload();
}
