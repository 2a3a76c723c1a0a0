using System.Buffers;
using Newtonsoft.Json;

namespace Workflow.Pickling;

/// <summary>Json.NET's reader and writer take their character buffers from here, so a small pickle does not allocate fresh ones each time.</summary>
internal sealed class CharBuffers : IArrayPool<char>
{
    public static readonly CharBuffers Shared = new();

    public char[] Rent(int minimumLength) => ArrayPool<char>.Shared.Rent(minimumLength);

    public void Return(char[]? array)
    {
        if (array != null) ArrayPool<char>.Shared.Return(array);
    }
}
