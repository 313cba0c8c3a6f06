using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace PoetSharp.Data;

/// <summary>A numeric array read from a NumPy <c>.npy</c> file: its shape, its dtype and its values as doubles (C order).</summary>
public sealed record NpyArray(int[] Shape, string Dtype, double[] Values);

/// <summary>
/// A minimal reader of NumPy's <c>.npy</c> format (versions 1.0, 2.0 and 3.0): the magic string <c>\x93NUMPY</c>, the
/// version, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), then a Python dictionary literal
/// with 'descr', 'fortran_order' and 'shape', then the raw data. Only little-endian float32/float64/int32/int64 arrays
/// in C order are read (<c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i4</c>, <c>&lt;i8</c>); anything else (big-endian,
/// Fortran order, object or other dtypes, a truncated file) is a <see cref="DataFormatException"/> naming the file.
/// The values are not checked for NaN here: callers say which quantity and frame is not finite.
/// </summary>
public static class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static NpyArray Read(string path)
    {
        var bytes = InputFile.ReadAllBytes(path, "a .npy file");
        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of a .npy file; <paramref name="source"/> names it in messages.</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string source)
    {
        DataFormatException Error(string reason) => new(source, null, reason);

        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw Error("not a NumPy .npy file (it does not start with \\x93NUMPY)");
        if (bytes.Length < 8) throw Error("truncated .npy file: it ends inside the format version");
        int major = bytes[6], minor = bytes[7];
        int headerStart, headerLength;
        switch (major)
        {
            case 1:
                if (bytes.Length < 10) throw Error("truncated .npy file: it ends inside the header length");
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..10]);
                headerStart = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12) throw Error("truncated .npy file: it ends inside the header length");
                var len = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..12]);
                if (len > int.MaxValue) throw Error($"header length {len} is not plausible");
                headerLength = (int)len;
                headerStart = 12;
                break;
            default:
                throw Error($"unsupported .npy format version {major}.{minor} (1.0, 2.0 and 3.0 are read)");
        }
        if (bytes.Length - headerStart < headerLength)
            throw Error($"truncated .npy file: the header is {headerLength} bytes but only {bytes.Length - headerStart} follow");
        string header;
        try
        {
            var encoding = major == 3 ? (Encoding)new UTF8Encoding(false, true) : Encoding.Latin1;
            header = encoding.GetString(bytes.Slice(headerStart, headerLength));
        }
        catch (DecoderFallbackException)
        {
            throw Error("the .npy header is not valid UTF-8");
        }
        var (descr, fortran, shape) = ParseHeader(header, Error);

        if (fortran) throw Error("Fortran-ordered array (fortran_order: True); only C-ordered arrays are read (save with numpy.ascontiguousarray)");
        if (descr.Length > 0 && descr[0] == '>')
            throw Error($"big-endian dtype '{descr}'; only little-endian arrays are read (convert with arr.astype('<{descr[1..]}'))");
        int size = descr switch
        {
            "<f4" or "<i4" => 4,
            "<f8" or "<i8" => 8,
            _ => throw Error(descr.Contains('O')
                ? $"object dtype '{descr}' (pickled Python objects) cannot be read; save a numeric array"
                : $"unsupported dtype '{descr}'; expected '<f4', '<f8', '<i4' or '<i8' (little-endian float32/float64/int32/int64)"),
        };

        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
            if (count > int.MaxValue / 8) throw Error($"array of shape {ShapeText(shape)} is too large");
        }
        var data = bytes[(headerStart + headerLength)..];
        var expected = count * size;
        if (data.Length < expected)
            throw Error($"truncated .npy file: shape {ShapeText(shape)} of '{descr}' needs {expected} data bytes but only {data.Length} follow the header");
        if (data.Length > expected)
            throw Error($"{data.Length - expected} bytes after the data of shape {ShapeText(shape)} of '{descr}' (corrupt file, or the header's shape is wrong)");

        var values = new double[count];
        for (var k = 0; k < count; k++)
        {
            var at = data.Slice(k * size, size);
            values[k] = descr switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(at),
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(at),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(at),
                _ => BinaryPrimitives.ReadInt64LittleEndian(at),
            };
        }
        return new NpyArray(shape, descr, values);
    }

    public static string ShapeText(int[] shape) =>
        "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + (shape.Length == 1 ? ",)" : ")");

    /// <summary>Reads the header's Python dict literal: string keys; values a string, True/False or a tuple of integers.</summary>
    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, Func<string, DataFormatException> error)
    {
        var pos = 0;
        void SkipSpace()
        {
            while (pos < header.Length && char.IsWhiteSpace(header[pos])) pos++;
        }
        DataFormatException Bad(string what) => error($"malformed .npy header ({what}): {header.Trim()}");
        void Expect(char c)
        {
            SkipSpace();
            if (pos >= header.Length || header[pos] != c) throw Bad($"expected '{c}'");
            pos++;
        }
        string QuotedString()
        {
            SkipSpace();
            if (pos >= header.Length || header[pos] is not ('\'' or '"')) throw Bad("expected a quoted string");
            var quote = header[pos++];
            var end = header.IndexOf(quote, pos);
            if (end < 0) throw Bad("unterminated string");
            var s = header[pos..end];
            pos = end + 1;
            return s;
        }

        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        Expect('{');
        while (true)
        {
            SkipSpace();
            if (pos < header.Length && header[pos] == '}') break;
            var key = QuotedString();
            Expect(':');
            SkipSpace();
            switch (key)
            {
                case "descr":
                    SkipSpace();
                    if (pos < header.Length && header[pos] == '[')
                        throw error("structured dtype (a list of fields) in 'descr'; only plain numeric arrays are read");
                    descr = QuotedString();
                    break;
                case "fortran_order":
                    if (header.AsSpan(pos).StartsWith("True")) { fortran = true; pos += 4; }
                    else if (header.AsSpan(pos).StartsWith("False")) { fortran = false; pos += 5; }
                    else throw Bad("fortran_order must be True or False");
                    break;
                case "shape":
                    Expect('(');
                    var dims = new List<int>();
                    while (true)
                    {
                        SkipSpace();
                        if (pos < header.Length && header[pos] == ')') { pos++; break; }
                        var start = pos;
                        while (pos < header.Length && char.IsAsciiDigit(header[pos])) pos++;
                        if (pos == start || !int.TryParse(header.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                            throw Bad("shape must be a tuple of non-negative integers");
                        dims.Add(d);
                        SkipSpace();
                        if (pos < header.Length && header[pos] == ',') pos++;
                    }
                    shape = dims.ToArray();
                    break;
                default:
                    throw Bad($"unexpected key '{key}'");
            }
            SkipSpace();
            if (pos < header.Length && header[pos] == ',') pos++;
        }
        if (descr == null) throw Bad("no 'descr'");
        if (fortran == null) throw Bad("no 'fortran_order'");
        if (shape == null) throw Bad("no 'shape'");
        return (descr, fortran.Value, shape);
    }
}
