/*
 * The README's "Typed calls from the page" example: the host module exports `registerInvokables`' result
 * (test/fixtures/shop.ts) and the page imports it, and the class, with `import type`.
 */
import { DotNet, type HostObject, type TypedDotNet } from 'jsinterop/page';
import type { Cart, shop } from '../fixtures/shop.js';
import { expectTrue, type Equal } from './assert-type.js';

export async function page(): Promise<void> {
  const dotnet = DotNet as TypedDotNet<typeof shop>;
  const price = await dotnet.invokeMethodAsync('Shop', 'Price', 'tea');
  expectTrue<Equal<typeof price, number>>();
  // @ts-expect-error a misspelt method name
  void dotnet.invokeMethodAsync('Shop', 'Prise', 'tea');
  // @ts-expect-error a wrong argument type
  void dotnet.invokeMethodAsync('Shop', 'Price', 3);
  const cart = await dotnet.invokeMethodAsync('Shop', 'NewCart');
  expectTrue<Equal<typeof cart, HostObject<Cart, 'add'>>>();
  const count: number = await cart.invokeMethodAsync('add', 'tea');
  // @ts-expect-error not on the host's invokable list
  void cart.invokeMethodAsync('clear');
  void count;
}

export function fill(cart: HostObject<Cart>): Promise<number> {
  return cart.invokeMethodAsync('add', 'milk');
}
