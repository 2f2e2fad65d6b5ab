namespace AgentBay.Lite.Http;

/// <summary>
/// Marks an interface whose implementation the AgentBay.Lite generator writes at compile time.
/// </summary>
/// <remarks>
/// For an interface <c>IFooApi</c> the generator emits <c>internal sealed partial class FooApiClient : IFooApi</c>
/// in the same namespace, with a constructor taking an <see cref="HttpClient"/> (its <c>BaseAddress</c> is the root
/// that routes are resolved against). The class declares
/// <c>partial void PrepareRequest(System.Net.Http.HttpRequestMessage request)</c>, called for every request after
/// it is fully built and before it is sent; implement it in another part of the class to add per-request values
/// (timestamps, nonces, signatures). JSON bodies and responses are (de)serialized through
/// <see cref="JsonContext"/>, which must declare every body and response type with <c>[JsonSerializable]</c>.
/// <para>
/// Methods return <c>Task</c> (a non-2xx status throws <see cref="ApiException"/>), <c>Task&lt;T&gt;</c> (a 2xx body is
/// read as <c>T</c>; a non-2xx status or an unreadable body throws <see cref="ApiException"/>) or
/// <c>Task&lt;ApiResponse&lt;T&gt;&gt;</c> (never throws for a status or a body). Transport failures
/// (<see cref="HttpRequestException"/>, <see cref="OperationCanceledException"/>) propagate unchanged. Argument
/// errors found while building the request (a <see langword="null"/> route value) throw synchronously. The request
/// is sent by <see cref="HttpApiRuntime"/>; every shape the generator cannot emit is a compile-time <c>ABLG</c> error.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
internal sealed class HttpApiAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="jsonContext">A <c>JsonSerializerContext</c> type that has metadata for every JSON type the interface uses.</param>
    public HttpApiAttribute(Type jsonContext) => JsonContext = jsonContext;

    /// <summary>The source-generated <c>JsonSerializerContext</c> used for bodies and responses.</summary>
    public Type JsonContext { get; }
}
