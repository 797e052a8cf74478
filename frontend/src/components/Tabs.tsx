import { NavLink } from 'react-router-dom';

export interface TabItem {
  to: string;
  label: string;
  end?: boolean;
}

/** Sub-navigation of a page as links, so every tab has its own address. */
export function Tabs({ items, label }: { items: TabItem[]; label: string }) {
  return (
    <nav className="tabs" aria-label={label}>
      {items.map((item) => (
        <NavLink key={item.to} to={item.to} end={item.end} className="tab">
          {item.label}
        </NavLink>
      ))}
    </nav>
  );
}
