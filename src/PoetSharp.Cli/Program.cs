Console.WriteLine("poet");
