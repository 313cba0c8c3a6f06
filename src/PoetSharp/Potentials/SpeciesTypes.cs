namespace PoetSharp.Potentials;

/// <summary>Element symbols of a structure's atoms to a potential's species numbers (LAMMPS's atom types).</summary>
internal static class SpeciesTypes
{
    /// <summary>
    /// Fills <paramref name="types"/> with each atom's index in <paramref name="elements"/>. Atoms of one element usually
    /// share one string instance, so a lookup is repeated only when the instance changes.
    /// </summary>
    /// <param name="potential">Names the potential in the error for an element it does not describe.</param>
    public static void Map(string[] species, string[] elements, Span<int> types, string potential)
    {
        string? last = null;
        var lastType = 0;
        for (var i = 0; i < species.Length; i++)
        {
            var s = species[i];
            if (!ReferenceEquals(s, last))
            {
                lastType = Array.IndexOf(elements, s);
                if (lastType < 0)
                    throw new ArgumentException($"{potential} has no parameters for element '{s}' (it describes {string.Join(", ", elements)})");
                last = s;
            }
            types[i] = lastType;
        }
    }
}
