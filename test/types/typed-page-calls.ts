/*
 * Typed calls from the page into the host: `HostObject<T>` types a DotNetObject by the host class it wraps, and
 * `TypedDotNet<typeof registration>` types `DotNet.invokeMethodAsync` by what `registerInvokables` returned.
 * The host module is test/fixtures/typed-host.ts, imported with `import type` as a page would.
 */
import { DotNet, type HostObject, type PageValue, type TypedDotNet } from 'jsinterop/page';
import { HostObjectReference, registerInvokables, type RegisteredInvokables } from 'jsinterop';
import type { ClockRegistration, Counter, Greeter, Shop, shopMethods } from '../fixtures/typed-host.js';
import { expectTrue, type Equal } from './assert-type.js';

export async function hostObjectByClass(received: DotNet.DotNetObject): Promise<void> {
  // What the page receives is the official DotNetObject: one cast types it.
  const counter = received as HostObject<Counter>;

  const sum = counter.invokeMethodAsync('increment', 2);
  expectTrue<Equal<typeof sum, Promise<number>>>();
  // An async host method's result is unwrapped: Promise<number>, not Promise<Promise<number>>.
  const later = counter.invokeMethodAsync('incrementLater', 2);
  expectTrue<Equal<typeof later, Promise<number>>>();
  const done = counter.invokeMethodAsync('reset');
  expectTrue<Equal<typeof done, Promise<void>>>();

  // @ts-expect-error a misspelt method name
  void counter.invokeMethodAsync('incremnt', 2);
  // @ts-expect-error a wrong argument type
  void counter.invokeMethodAsync('increment', '2');
  // @ts-expect-error too few arguments
  void counter.invokeMethodAsync('increment');
  // @ts-expect-error too many arguments
  void counter.invokeMethodAsync('increment', 2, 3);
  // @ts-expect-error a field is not a method
  void counter.invokeMethodAsync('count');
  // @ts-expect-error the result is the method's, not whatever the caller wishes
  const wrong: string = await counter.invokeMethodAsync('increment', 2);

  // Sync calls (in-process hosts) check the same, and refuse a method that returns a promise.
  const now = counter.invokeMethod('increment', 1);
  expectTrue<Equal<typeof now, number>>();
  // @ts-expect-error a sync call cannot wait for an async host method
  counter.invokeMethod('incrementLater', 1);

  // Without a list, the types cannot tell which methods are invokable (decorators are invisible to them):
  // every method compiles, and one that is not invokable fails at run time, as in Blazor.
  const greeter = received as HostObject<Greeter>;
  const greeting: string = await greeter.invokeMethodAsync('greet', 'page');
  void greeter.invokeMethodAsync('unmarked');

  counter.dispose();
  void [wrong, greeting];
}

export async function hostObjectByList(received: DotNet.DotNetObject): Promise<void> {
  // With an invokable list, the reference's type carries the names (no `as const` needed) ...
  const reference = HostObjectReference.create({} as Counter, { invokable: ['increment', 'incrementLater'] });
  expectTrue<Equal<typeof reference, HostObjectReference<Counter, 'increment' | 'incrementLater'>>>();
  // ... and so does the page's view of it.
  const counter = received as PageValue<typeof reference>;
  expectTrue<Equal<typeof counter, HostObject<Counter, 'increment' | 'incrementLater'>>>();
  const n: number = await counter.invokeMethodAsync('increment', 1);
  // @ts-expect-error a method that is not on the list
  void counter.invokeMethodAsync('secret');
  // @ts-expect-error nor is reset
  void counter.invokeMethodAsync('reset');

  // Aliases: the page calls the identifier, with the aliased method's signature.
  const aliased = HostObjectReference.create({} as Counter, { invokable: { Bump: 'increment' } });
  const bumper = received as PageValue<typeof aliased>;
  const bumped = bumper.invokeMethodAsync('Bump', 3);
  expectTrue<Equal<typeof bumped, Promise<number>>>();
  // @ts-expect-error the method's own name is not the identifier
  void bumper.invokeMethodAsync('increment', 3);
  // @ts-expect-error the alias checks arguments
  void bumper.invokeMethodAsync('Bump', 'three');

  // @ts-expect-error a list names methods of the object only
  HostObjectReference.create({} as Counter, { invokable: ['incremnt'] });
  // Typed loosely where it is stored or passed: a HostObjectReference<Counter, 'increment'> is a HostObjectReference<object>.
  const loose: HostObjectReference<object> = reference;
  void [n, loose];
}

export async function statics(): Promise<void> {
  // The host module exports `registerInvokables`' result (here its type, `Shop`); the page casts DotNet once.
  const dotnet = DotNet as TypedDotNet<Shop>;

  const price = dotnet.invokeMethodAsync('Shop', 'Price', 'tea', 2);
  expectTrue<Equal<typeof price, Promise<number>>>();
  const stock = await dotnet.invokeMethodAsync('Shop', 'Stock', 'tea');
  // A Date arrives as its ISO string.
  expectTrue<Equal<typeof stock, { item: string; count: number; checked: string }>>();
  const logged = dotnet.invokeMethodAsync('Shop', 'Log', 'hi');
  expectTrue<Equal<typeof logged, Promise<void>>>();

  // @ts-expect-error a misspelt assembly name
  void dotnet.invokeMethodAsync('Shp', 'Price', 'tea', 2);
  // @ts-expect-error a misspelt method name
  void dotnet.invokeMethodAsync('Shop', 'Prise', 'tea', 2);
  // @ts-expect-error a wrong argument type
  void dotnet.invokeMethodAsync('Shop', 'Price', 'tea', '2');
  // @ts-expect-error too few arguments
  void dotnet.invokeMethodAsync('Shop', 'Price', 'tea');
  // @ts-expect-error too many arguments
  void dotnet.invokeMethodAsync('Shop', 'Price', 'tea', 2, 3);
  // @ts-expect-error the result is the method's
  const wrong: string = await dotnet.invokeMethodAsync('Shop', 'Price', 'tea', 2);

  // A host object the host returns arrives typed by the reference's list.
  const counter = await dotnet.invokeMethodAsync('Shop', 'Counter', 10);
  expectTrue<Equal<typeof counter, HostObject<Counter, 'increment' | 'incrementLater'>>>();
  const count: number = await counter.invokeMethodAsync('increment', 1);
  // @ts-expect-error not on the host's list
  void counter.invokeMethodAsync('reset');
  const bumper = await dotnet.invokeMethodAsync('Shop', 'AliasedCounter');
  const bumped: number = await bumper.invokeMethodAsync('Bump', 1);
  const greeter = await dotnet.invokeMethodAsync('Shop', 'Greeter');
  expectTrue<Equal<typeof greeter, HostObject<Greeter>>>();

  // The page passes a host object back where the host takes a HostObjectReference.
  const read: number = await dotnet.invokeMethodAsync('Shop', 'ReadCounter', counter);
  // @ts-expect-error a number is not a host object
  void dotnet.invokeMethodAsync('Shop', 'ReadCounter', 1);

  // Sync calls (in-process hosts).
  const syncPrice = dotnet.invokeMethod('Shop', 'Price', 'tea', 1);
  expectTrue<Equal<typeof syncPrice, number>>();
  // @ts-expect-error a sync call cannot wait for an async host function
  dotnet.invokeMethod('Shop', 'Stock', 'tea');

  // The namespace's other members are the official ones.
  const objectReference = dotnet.createJSObjectReference({});
  void [wrong, count, bumped, read, objectReference];
}

export async function severalAssemblies(): Promise<void> {
  // A union types several registrations; a class registered by its decorated statics offers all its statics.
  const dotnet = DotNet as TypedDotNet<Shop | ClockRegistration>;
  const now = await dotnet.invokeMethodAsync('Clock', 'Now');
  expectTrue<Equal<typeof now, number>>();
  const price: number = await dotnet.invokeMethodAsync('Shop', 'Price', 'tea', 1);
  // @ts-expect-error Now is Clock's, not Shop's
  void dotnet.invokeMethodAsync('Shop', 'Now');
  // @ts-expect-error a class's prototype is not a method
  void dotnet.invokeMethodAsync('Clock', 'prototype');

  // A registration's type can be written by hand.
  const byHand = DotNet as TypedDotNet<RegisteredInvokables<'Shop', typeof shopMethods>>;
  const same: number = await byHand.invokeMethodAsync('Shop', 'Price', 'tea', 1);
  void [price, same];
}

export function pageValues(): void {
  // Loose host types stay loose: `any` stays `any`, `unknown` stays `unknown`.
  expectTrue<Equal<PageValue<any>, any>>();
  expectTrue<Equal<PageValue<unknown>, unknown>>();
  expectTrue<Equal<PageValue<number | null>, number | null>>();
  // Arrays and objects are mapped member by member; methods, which JSON leaves out, are left out.
  expectTrue<Equal<PageValue<{ when: Date; tags: string[]; counter: HostObjectReference<Counter, 'reset'>; total(): number }>, {
    when: string;
    tags: string[];
    counter: HostObject<Counter, 'reset'>;
  }>>();
  expectTrue<Equal<PageValue<[Date, Buffer]>, [string, Uint8Array]>>();
}

export function registrationStaysAnUnregisterFunction(): void {
  // registerInvokables still returns the function that unregisters: its extra type information costs nothing.
  const unregister = registerInvokables('Types.Test', { Ping: () => 'pong' });
  // (A function's literal result stays literal: the page's call of Ping resolves to 'pong'.)
  expectTrue<Equal<typeof unregister, RegisteredInvokables<'Types.Test', { Ping: () => 'pong' }>>>();
  const asBefore: () => void = unregister;
  asBefore();
  // An assembly name that is only a string still registers, and types calls loosely by name.
  const name: string = 'Dynamic';
  const dynamic = registerInvokables(name, { Ping: () => 'pong' });
  expectTrue<Equal<typeof dynamic, RegisteredInvokables<string, { Ping: () => 'pong' }>>>();
  dynamic();
}
