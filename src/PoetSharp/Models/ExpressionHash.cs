namespace PoetSharp.Models;

/// <summary>
/// 64-bit hashes of expressions, the same in every run and process (stored or compared across machines):
/// <see cref="Structural"/> depends only on the form (node kinds and shape), so trees that differ only in constant
/// values share it and a GP search can reject a known form before fitting its constants; <see cref="Exact"/> also
/// includes every constant's bits (−0 and 0 differ). Operand order matters: a + b and b + a hash differently.
/// </summary>
/// <remarks>FNV-1a over 64-bit words (node kind and subtree size; constant bits), then the MurmurHash3 finaliser so
/// that small differences spread over all bits.</remarks>
public static class ExpressionHash
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Structural(Expression e) => Hash(e, withConstants: false);

    public static ulong Exact(Expression e) => Hash(e, withConstants: true);

    private static ulong Hash(Expression e, bool withConstants)
    {
        var h = Offset;
        foreach (var node in e.Nodes)
        {
            // The element (0 for most nodes) in the top bits: single-element trees hash as before.
            h = Mix(h, (ulong)node.Kind | (ulong)(uint)node.Size << 8 | (ulong)node.Element << 56);
            if (withConstants && node.Kind == NodeKind.Constant)
                h = Mix(h, (ulong)BitConverter.DoubleToInt64Bits(e.Constants[node.ConstantIndex]));
        }
        return Finalise(h);
    }

    private static ulong Mix(ulong h, ulong word)
    {
        for (var b = 0; b < 64; b += 8)
        {
            h ^= (word >> b) & 0xFF;
            h *= Prime;
        }
        return h;
    }

    private static ulong Finalise(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccd;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53;
        h ^= h >> 33;
        return h;
    }
}
